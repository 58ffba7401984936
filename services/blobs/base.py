"""The blob port: content-addressed bytes. A blob's key is the SHA-256 (hex) of its bytes, so the same file
posted twice is kept once and a key never names two contents. What refers to a blob is the store's business
(services/store: attachment rows); the blob store only keeps bytes."""
from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol

CHUNK = 256 * 1024  # bytes read at a time when hashing or serving a blob
KEY = re.compile(r'[0-9a-f]{64}')
StillUsed = Callable[[], Awaitable[bool]]


class BlobStore(Protocol):
    async def put_file(self, path: Path) -> str:
        """Keep the bytes of a local file (the caller's: left in place); its key."""

    async def put_bytes(self, data: bytes) -> str:
        """Keep these bytes; their key."""

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The bytes of a blob, a chunk at a time; FileNotFoundError (when iterated) if there is none."""

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str, keep_if: StillUsed | None = None) -> None:
        """Forget a blob; nothing happens if there is none. With `keep_if`, the blob is first set aside (no reader
        finds it), then `keep_if()` asks the store whether something uses it after all (the same bytes posted
        again meanwhile): if so it is put back. With the uploader's own check after it posts (uploads.py), a
        message posted while its bytes were being deleted keeps them."""

    async def close(self) -> None: ...


def check_key(key: str) -> str:
    """The key if it is one (64 lowercase hex digits): never a path of anyone's choosing."""
    if not KEY.fullmatch(key):
        raise ValueError('not a blob key')
    return key


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
