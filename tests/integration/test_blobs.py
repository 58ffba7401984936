"""The blob port on both adapters: the data directory, and an S3-compatible server (moto's, run locally)."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.blobs.base import BlobStore
from services.blobs.local import LocalBlobStore
from services.blobs.s3 import S3BlobStore, S3Location, parse_s3_url
from services.bootstrap import blob_store
from services.config import Settings
from tests.support import free_port


@pytest.fixture(scope='module')
def s3_endpoint() -> Iterator[str]:
    server_module = pytest.importorskip('moto.server')
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False)
    server.start()
    try:
        yield f'http://127.0.0.1:{port}'
    finally:
        server.stop()


@pytest.fixture(params=['local', 'shared', 's3'])
async def blobs(request: pytest.FixtureRequest, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BlobStore]:
    if request.param == 'local':
        store = blob_store(Settings(data_dir=tmp_path))
    elif request.param == 'shared':  # a directory several instances mount, named by a file:/// URL
        shared = tmp_path / 'shared files'
        store = blob_store(Settings(data_dir=tmp_path / 'node', files_url=shared.as_uri()))
        assert isinstance(store, LocalBlobStore) and store.root == shared
    else:
        import boto3

        endpoint = request.getfixturevalue('s3_endpoint')
        for name, value in (('AWS_ACCESS_KEY_ID', 'test'), ('AWS_SECRET_ACCESS_KEY', 'test')):
            monkeypatch.setenv(name, value)
        bucket = f'chat-{tmp_path.name.lower().replace("_", "-")[-40:]}'
        boto3.client('s3', endpoint_url=endpoint, region_name='us-east-1').create_bucket(Bucket=bucket)
        store = blob_store(Settings(data_dir=tmp_path,
                                    files_url=f's3://{bucket}/chat/files?endpoint={endpoint}&region=us-east-1'))
        assert isinstance(store, S3BlobStore)
    yield store
    await store.close()


async def read(blobs: BlobStore, key: str) -> bytes:
    return b''.join([chunk async for chunk in blobs.read(key)])


async def test_bytes_and_files_are_kept_under_their_sha256(blobs: BlobStore, tmp_path: Path) -> None:
    key = await blobs.put_bytes(b'hello')
    assert key == '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'
    assert await blobs.exists(key) and await read(blobs, key) == b'hello'
    big = tmp_path / 'big.bin'
    big.write_bytes(bytes(range(256)) * 8192)  # 2 MiB: several chunks
    file_key = await blobs.put_file(big)
    assert big.exists()  # the caller's file stays
    assert await read(blobs, file_key) == big.read_bytes()
    assert await blobs.put_bytes(big.read_bytes()) == file_key  # the same content: the same blob


async def test_a_deleted_or_missing_blob_is_gone(blobs: BlobStore) -> None:
    key = await blobs.put_bytes(b'bye')
    await blobs.delete(key)
    await blobs.delete(key)
    assert not await blobs.exists(key)
    with pytest.raises(FileNotFoundError):
        await read(blobs, key)
    for bad in ('../x', 'A' * 64):
        with pytest.raises(ValueError):
            await blobs.exists(bad)


async def test_a_delete_puts_back_what_is_used_again_by_the_time_it_is_set_aside(blobs: BlobStore) -> None:
    key = await blobs.put_bytes(b'posted again')
    asked: list[bool] = []

    async def used_again() -> bool:  # asked with the blob set aside: nobody finds it meanwhile
        asked.append(await blobs.exists(key))
        return True

    await blobs.delete(key, keep_if=used_again)
    assert asked == [False]
    assert await read(blobs, key) == b'posted again'

    async def unused() -> bool:
        return False

    await blobs.delete(key, keep_if=unused)
    assert not await blobs.exists(key)
    await blobs.delete(key, keep_if=unused)  # nothing there: nothing asked, nothing raised


def test_s3_urls() -> None:
    assert parse_s3_url('s3://bucket/a/b/?endpoint=http://m:9000&region=eu') == S3Location('bucket', 'a/b',
                                                                                            'http://m:9000', 'eu')
    assert parse_s3_url('s3://bucket') == S3Location('bucket')
    for bad in ('http://bucket/x', 's3:///x', 's3://b?colour=red'):
        with pytest.raises(ValueError, match='CHAT_FILES_URL'):
            parse_s3_url(bad)


def test_files_url_names_a_bucket_or_an_absolute_directory(tmp_path: Path) -> None:
    for wrong in ('file://relative/dir', 'ftp://host/x', '/srv/files'):
        with pytest.raises(ValueError, match='CHAT_FILES_URL'):
            Settings(data_dir=tmp_path, files_url=wrong)
