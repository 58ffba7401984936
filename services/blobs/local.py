"""Blobs as files in the data directory: `<root>/ab/cd/<sha256>`, written to a temporary file beside them and
renamed into place, so a reader never sees half a blob and two writers of one content cannot clash. For one
instance, or several that share the directory; else s3.py."""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from .base import CHUNK, StillUsed, check_key, sha256_file


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def _place(self, source: Path, key: str, copy: bool) -> None:
        target = self.path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix='.incoming-')
        os.close(fd)
        try:
            if copy:
                shutil.copyfile(source, temporary)
            else:
                os.replace(source, temporary)
            os.replace(temporary, target)  # atomic: the blob is whole or absent
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _put_file(self, path: Path) -> str:
        key = sha256_file(path)
        self._place(path, key, copy=True)
        return key

    def _put_bytes(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        if self.path(key).exists():
            return key
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix='.incoming-')
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
        try:
            self._place(Path(temporary), key, copy=False)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        return key

    async def put_file(self, path: Path) -> str:
        return await asyncio.to_thread(self._put_file, path)

    async def put_bytes(self, data: bytes) -> str:
        return await asyncio.to_thread(self._put_bytes, data)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        file = await asyncio.to_thread(self.path(key).open, 'rb')
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK):
                yield chunk
        finally:
            file.close()

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    def _set_aside(self, key: str) -> Path | None:
        target = self.path(key)
        aside = target.with_name(f'.deleting-{key}-{secrets.token_hex(4)}')
        try:
            os.replace(target, aside)  # atomic: from here no reader finds it
        except FileNotFoundError:
            return None
        return aside

    def _put_back(self, aside: Path, key: str) -> None:
        os.replace(aside, self.path(key))  # the same bytes, whether or not they were put again meanwhile

    async def delete(self, key: str, keep_if: StillUsed | None = None) -> None:
        aside = await asyncio.to_thread(self._set_aside, key)
        if aside is None:
            return
        if keep_if is not None and await keep_if():
            await asyncio.to_thread(self._put_back, aside, key)
            return
        await asyncio.to_thread(aside.unlink, missing_ok=True)

    async def close(self) -> None:
        """Nothing to close."""
