"""Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...): for several instances without a shared directory.

`CHAT_FILES_URL=s3://<bucket>/<prefix>?endpoint=https://minio.internal:9000&region=eu-west-1`; credentials come
from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role). boto3 blocks,
so every call runs in a worker thread (asyncio.to_thread). Keys are `<prefix>/ab/cd/<sha256>`; a blob that exists
already is not uploaded again (content-addressed: same key, same bytes).
"""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .base import CHUNK, StillUsed, check_key, sha256_file


def _missing(error: Any) -> bool:
    """A botocore ClientError that says the object is not there."""
    return error.response.get('Error', {}).get('Code') in ('404', 'NoSuchKey', 'NotFound')


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    prefix: str = ''
    endpoint: str | None = None
    region: str | None = None


def parse_s3_url(url: str) -> S3Location:
    """`s3://bucket/prefix?endpoint=...&region=...`; ValueError naming what is wrong."""
    parts = urlsplit(url)
    if parts.scheme != 's3' or not parts.netloc:
        raise ValueError(f'CHAT_FILES_URL must look like s3://bucket/prefix (got {url!r})')
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {'endpoint', 'region'}
    if unknown:
        raise ValueError(f'CHAT_FILES_URL: unknown option(s) {", ".join(sorted(unknown))} (endpoint, region)')
    return S3Location(parts.netloc, parts.path.strip('/'), query.get('endpoint'), query.get('region'))


class S3BlobStore:
    def __init__(self, location: S3Location, client: Any = None) -> None:
        self.location = location
        if client is None:
            import boto3  # only deployments that use S3 need it installed

            client = boto3.client('s3', endpoint_url=location.endpoint, region_name=location.region)
        self._client = client

    def _key(self, key: str) -> str:
        check_key(key)
        name = f'{key[:2]}/{key[2:4]}/{key}'
        return f'{self.location.prefix}/{name}' if self.location.prefix else name

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.location.bucket, Key=self._key(key))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def _put_file(self, path: Path) -> str:
        key = sha256_file(path)
        if not self._exists(key):
            self._client.upload_file(str(path), self.location.bucket, self._key(key))
        return key

    def _put_bytes(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        if not self._exists(key):
            self._client.put_object(Bucket=self.location.bucket, Key=self._key(key), Body=data)
        return key

    async def put_file(self, path: Path) -> str:
        return await asyncio.to_thread(self._put_file, path)

    async def put_bytes(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put_bytes, data)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = await asyncio.to_thread(self._client.get_object, Bucket=self.location.bucket, Key=self._key(key))
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(key) from None
            raise
        body = answer['Body']
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK):
                yield chunk
        finally:
            body.close()

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._exists, key)

    def _move(self, source: str, target: str) -> bool:
        """Copy within the bucket, then delete the source; False if there was no source."""
        from botocore.exceptions import ClientError

        bucket = self.location.bucket
        try:
            self._client.copy_object(Bucket=bucket, Key=target, CopySource={'Bucket': bucket, 'Key': source})
        except ClientError as error:
            if _missing(error):
                return False
            raise
        self._client.delete_object(Bucket=bucket, Key=source)
        return True

    async def delete(self, key: str, keep_if: StillUsed | None = None) -> None:
        name = self._key(key)
        if keep_if is None:
            await asyncio.to_thread(self._client.delete_object, Bucket=self.location.bucket, Key=name)
            return
        aside = f'{name}.deleting-{secrets.token_hex(4)}'
        if not await asyncio.to_thread(self._move, name, aside):
            return
        if await keep_if():
            await asyncio.to_thread(self._move, aside, name)
            return
        await asyncio.to_thread(self._client.delete_object, Bucket=self.location.bucket, Key=aside)

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)
