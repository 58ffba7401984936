"""Files in messages: receive an upload as it streams, check it, keep it, post it; serve it to members only.

`Uploads.upload` takes the bytes as an async iterator (the HTTP route's request stream): before reading anything
it checks the name, the client id, the rate limit, that the user may post in the room and their quota; while the
bytes arrive it counts them and stops reading past the per-file limit (or what the quota leaves): TooLarge, and
nothing is kept. The file waits in a temporary file in the data directory; services/file_checks.py decides what it
is (in a worker thread: Pillow re-encodes images without their metadata); the blobs go into the blob store
(services/blobs/); then one store transaction posts the message with its attachment (membership, seq, idempotent on
the client id), and MessagePosted goes out after the commit. Deleting a message releases its attachment (the bus
handler `message_deleted`): blobs no other attachment uses are deleted.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from . import access, file_checks, validation
from .access import authorize
from .blobs.base import BlobStore
from .bus.base import Bus
from .config import Settings
from .errors import ChatError, Forbidden, NotFound, TooLarge, ValidationError
from .events import Event, MessageDeleted, MessagePosted
from .formatting import Renderer
from .models import Attachment, Message, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store
from .typing import Typing

log = logging.getLogger(__name__)
MB = 1_000_000
WRITE_BUFFER = 1024 * 1024  # bytes gathered before a write to the temporary file (in a worker thread)
IMAGE_SLOTS = 2  # images decoded at once: each may take a few hundred MB while it is re-encoded
NO_FILE = 'No such file'
STALE_INCOMING = 3600.0  # seconds after which a temporary file in `incoming` is a crash's leftover


@dataclass(frozen=True, slots=True)
class Download:
    """A file a member may fetch: what it is and its bytes, a chunk at a time."""

    attachment: Attachment
    mime: str
    chunks: AsyncIterator[bytes]
    inline: bool  # an image (or its thumbnail): shown in the page; anything else is a download


class Uploads:
    def __init__(self, store: Store, bus: Bus, blobs: BlobStore, settings: Settings, typing: Typing,
                 limit: Limiter | None = None) -> None:
        self._store = store
        self._bus = bus
        self._blobs = blobs
        self._settings = settings
        self._typing = typing
        self._limit = limit if limit is not None else NoLimit()
        self._renderer = Renderer()
        self._images = asyncio.Semaphore(IMAGE_SLOTS)
        self.incoming = settings.data_dir / 'incoming'

    @property
    def max_bytes(self) -> int:
        return self._settings.max_upload_mb * MB

    @property
    def quota_bytes(self) -> int:
        return self._settings.upload_quota_mb * MB

    def too_large(self) -> TooLarge:
        return TooLarge(f'That file is larger than {self._settings.max_upload_mb} MB')

    async def upload(self, user: User, room_id: int, name: object, chunks: AsyncIterable[bytes],
                     client_id: object, caption: object = '') -> Message:
        """Post a message with this file (policy 'post'); a retry with the same client id returns the first.

        ValidationError for a bad client id, caption or image; TooLarge past the per-file limit or the quota;
        RateLimited; NotFound / Forbidden as posting a message. Nothing is kept when it fails.
        """
        cid = validation.client_id(client_id)
        room_number = access.room_id(room_id)
        filename = file_checks.clean_name(name)
        body = '' if caption is None or caption == '' else \
            validation.message_body(caption, self._settings.max_message_length)
        await self._limit.check(user.id)
        try:
            room = (await authorize(self._store, user, room_number, 'post')).room
            allowed = min(self.max_bytes, self.quota_bytes - await self._store.upload_usage(user.id))
            if allowed <= 0:
                raise self._over_quota()
        except ChatError:
            await self._limit.refund(user.id)  # refused before reading anything
            raise
        # from here a refusal keeps its token: reading and checking a file is work (a flood of oversized or broken
        # files meets the limit like a flood of good ones)
        message, created = await self._receive_and_post(user, room.id, filename, chunks, cid, body, allowed)
        if created:
            await self._bus.publish(MessagePosted(message))
            await self._typing.stopped(user, room.id)
        else:
            await self._limit.refund(user.id)
        return message

    def _over_quota(self) -> TooLarge:
        return TooLarge(f'You have used your {self._settings.upload_quota_mb} MB for files: '
                        'delete some of your files first')

    async def _receive_and_post(self, user: User, room_id: int, name: str, chunks: AsyncIterable[bytes], cid: str,
                                body: str, allowed: int) -> tuple[Message, bool]:
        await asyncio.to_thread(self.incoming.mkdir, parents=True, exist_ok=True)
        fd, spooled = tempfile.mkstemp(dir=self.incoming, prefix='upload-')
        path = Path(spooled)
        try:
            size = await self._spool(fd, chunks, allowed)
            if size == 0:
                raise ValidationError('That file is empty')
            async with self._images:
                inspected = await asyncio.to_thread(file_checks.inspect, path, name)
            keys = await self._put(inspected, path)
            if inspected.data is not None:
                size = len(inspected.data)
            html = await self._renderer.render(body) if body else ''
            attachment = Attachment(id=0, name=inspected.name, mime=inspected.mime, size=size, sha256=keys[0],
                                    thumb_sha256=keys[1] if len(keys) > 1 else None, width=inspected.width,
                                    height=inspected.height)
            try:
                posted = await self._store.post_attachment(room_id, user, body, html, cid, attachment)
            except BaseException:
                await self._forget_unused(keys)
                raise
            # the same bytes' last message may have been deleted since they were put (they existed: put kept the
            # old copy) and its handler may have taken them away before this post used them: put them again
            if not all([await self._blobs.exists(key) for key in keys]):
                await self._put(inspected, path)
            return posted
        finally:
            with contextlib.suppress(FileNotFoundError):
                await asyncio.to_thread(path.unlink)

    async def _spool(self, fd: int, chunks: AsyncIterable[bytes], allowed: int) -> int:
        """Write the stream to the open temporary file; stop reading (TooLarge) the moment it passes `allowed`."""
        size = 0
        pending: list[bytes] = []
        buffered = 0
        with os.fdopen(fd, 'wb') as file:
            async for chunk in chunks:
                size += len(chunk)
                if size > allowed:
                    raise self.too_large() if allowed >= self.max_bytes else self._over_quota()
                pending.append(chunk)
                buffered += len(chunk)
                if buffered >= WRITE_BUFFER:
                    await asyncio.to_thread(file.write, b''.join(pending))
                    pending, buffered = [], 0
            if pending:
                await asyncio.to_thread(file.write, b''.join(pending))
        return size

    async def _put(self, inspected: file_checks.Inspected, path: Path) -> list[str]:
        """Keep the file's bytes (re-encoded for an image) and its thumbnail: their keys, the file's first."""
        keys = [await self._blobs.put_bytes(inspected.data) if inspected.data is not None
                else await self._blobs.put_file(path)]
        if inspected.thumb is not None:
            keys.append(await self._blobs.put_bytes(inspected.thumb))
        return keys

    async def _in_use(self, key: str) -> bool:
        return key in await self._store.blobs_in_use([key])

    async def _forget(self, key: str) -> None:
        """Delete a blob no attachment uses, unless one does by the time it is set aside (blobs/base.py)."""
        await self._blobs.delete(key, keep_if=functools.partial(self._in_use, key))

    async def _forget_unused(self, keys: list[str]) -> None:
        """Delete blobs just put that no attachment uses (the post failed)."""
        try:
            used = await self._store.blobs_in_use(keys)
            for key in keys:
                if key not in used:
                    await self._forget(key)
        except Exception:
            log.exception('could not clean up the blobs of a failed upload')

    async def download(self, user: User, attachment_id: int, thumb: bool = False) -> Download:
        """A file (or an image's thumbnail) of a message `user` may read (policy 'read'). NotFound 'No such file'
        for anything else: a file that does not exist, of a deleted message, of a room the user may not read."""
        if not isinstance(attachment_id, int) or not 0 < attachment_id < 2**62:
            raise NotFound(NO_FILE)
        stored = await self._store.get_attachment(attachment_id)
        if stored is None or stored.deleted:
            raise NotFound(NO_FILE)
        try:
            await authorize(self._store, user, stored.room_id, 'read')
        except (Forbidden, NotFound):
            raise NotFound(NO_FILE) from None
        attachment = stored.attachment
        key = attachment.sha256
        mime = attachment.mime
        if thumb and attachment.is_image and attachment.thumb_sha256:
            key = attachment.thumb_sha256
            mime = 'image/jpeg'
        elif thumb and not attachment.is_image:
            raise NotFound(NO_FILE)
        chunks = self._blobs.read(key)
        try:
            first = await anext(chunks)
        except (FileNotFoundError, StopAsyncIteration):
            raise NotFound(NO_FILE) from None
        if key != attachment.sha256:
            mime = file_checks.FORMATS.get(file_checks.image_format(first) or '', 'image/jpeg')
        return Download(attachment, mime, _prepend(first, chunks), inline=attachment.is_image)

    async def message_deleted(self, event: Event) -> None:
        """Bus handler: a deleted message's attachment goes, and with it the blobs nothing else uses."""
        if not isinstance(event, MessageDeleted):
            return
        for key in await self._store.release_attachments(event.message_id):
            await self._forget(key)

    async def start(self) -> None:
        """Delete what uploads cut short by a crash left in `incoming` (an hour old: no upload lasts that long)."""
        def sweep() -> None:
            if not self.incoming.is_dir():
                return
            old = time.time() - STALE_INCOMING
            for path in self.incoming.glob('upload-*'):
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < old:
                        path.unlink()
        await asyncio.to_thread(sweep)

    async def close(self) -> None:
        self._renderer.close()
        await self._blobs.close()


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk
