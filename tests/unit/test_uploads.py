"""Files in messages, the service: streamed in with limits, checked, kept once, served to members only, released."""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.blobs.local import LocalBlobStore
from services.bootstrap import Services
from services.errors import NotFound, RateLimited, TooLarge, ValidationError
from services.events import MessagePosted
from services.models import Message, User
from services.uploads import MB

from .conftest import Recorder
from .test_file_checks import photo


class Body:
    """A request body arriving in chunks; counts what the service read of it."""

    def __init__(self, data: bytes, chunk: int = 64 * 1024) -> None:
        self.parts = [data[i:i + chunk] for i in range(0, len(data), chunk)]
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            self.read += len(part)
            yield part


def blob_files(services: Services) -> list[Path]:
    root = services.settings.data_dir / 'files'
    return sorted(p for p in root.rglob('*') if p.is_file()) if root.exists() else []


def incoming(services: Services) -> list[Path]:
    return list(services.uploads.incoming.glob('*')) if services.uploads.incoming.exists() else []


async def read_all(services: Services, user: User, file_id: int, thumb: bool = False) -> bytes:
    download = await services.uploads.download(user, file_id, thumb)
    return b''.join([chunk async for chunk in download.chunks])


async def test_an_image_is_posted_as_a_message_and_served_to_members(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    recorder.clear()

    message = await services.uploads.upload(alice, room.id, 'C:\\fakepath\\cat.jpg', Body(photo()), 'u1')

    file = message.attachment
    assert file is not None and file.name == 'cat.jpg' and file.mime == 'image/jpeg' and file.is_image
    assert (file.width, file.height) == (640, 480) and file.thumb_sha256 is not None
    assert (message.kind, message.body) == ('text', '')
    assert recorder.events == [MessagePosted(message)]
    assert (await services.messages.latest(bob, room.id))[-1].attachment == file  # history brings it back
    served = await read_all(services, bob, file.id)
    assert len(served) == file.size and b'SpyCam' not in served
    assert (await services.uploads.download(bob, file.id)).inline
    assert (await services.uploads.download(bob, file.id, thumb=True)).mime == 'image/jpeg'
    assert incoming(services) == []  # the temporary file is gone


async def test_a_file_is_a_download_with_an_optional_caption(services: Services, alice: User) -> None:
    room = await services.rooms.default_room(alice)
    message = await services.uploads.upload(alice, room.id, 'notes.txt', Body(b'hello\n'), 'u1', '**read** this')
    assert message.html == '<p><strong>read</strong> this</p>'
    assert message.attachment is not None and message.attachment.mime == 'text/plain; charset=utf-8'
    download = await services.uploads.download(alice, message.attachment.id)
    assert not download.inline
    with pytest.raises(NotFound):  # no thumbnail for a file that is no image
        await services.uploads.download(alice, message.attachment.id, thumb=True)


async def test_a_retry_with_the_same_client_id_posts_once_and_the_same_content_is_kept_once(
        services: Services, alice: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    recorder.clear()
    first = await services.uploads.upload(alice, room.id, 'a.txt', Body(b'same bytes'), 'u1')
    again = await services.uploads.upload(alice, room.id, 'a.txt', Body(b'same bytes'), 'u1')
    other = await services.uploads.upload(alice, room.id, 'b.txt', Body(b'same bytes'), 'u2')
    assert again == first and other.seq == first.seq + 1
    assert len(recorder.of(MessagePosted)) == 2
    assert len(blob_files(services)) == 1  # content-addressed


async def test_a_file_past_the_limit_stops_being_read_and_nothing_is_kept(
        services: Services, alice: User, recorder: Recorder) -> None:
    services.uploads._settings = dataclasses.replace(services.settings, max_upload_mb=1)
    room = await services.rooms.default_room(alice)
    recorder.clear()
    body = Body(b'x' * (5 * MB))
    with pytest.raises(TooLarge, match=r'^That file is larger than 1 MB$'):
        await services.uploads.upload(alice, room.id, 'big.bin', body, 'u1')
    assert body.read <= MB + 64 * 1024  # it stopped reading right past the limit
    assert recorder.events == [] and blob_files(services) == [] and incoming(services) == []
    assert await services.store.upload_usage(alice.id) == 0


async def test_the_quota_counts_what_a_user_keeps(services: Services, alice: User, bob: User) -> None:
    services.uploads._settings = dataclasses.replace(services.settings, max_upload_mb=1, upload_quota_mb=2)
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    first = await services.uploads.upload(alice, room.id, 'a.bin', Body(b'a' * 900_000), 'u1')
    await services.uploads.upload(alice, room.id, 'b.bin', Body(b'b' * 900_000), 'u2')
    with pytest.raises(TooLarge, match='You have used your 2 MB for files'):
        await services.uploads.upload(alice, room.id, 'c.bin', Body(b'c' * 900_000), 'u3')
    await services.uploads.upload(bob, room.id, 'c.bin', Body(b'c' * 900_000), 'u3')  # bob has his own
    await services.messages.delete(alice, room.id, first.seq)  # deleting a file gives its room back
    await services.uploads.upload(alice, room.id, 'c.bin', Body(b'c' * 900_000), 'u3')
    with pytest.raises(TooLarge, match='You have used your 2 MB'):  # nothing left at all: refused before reading
        await services.uploads.upload(alice, room.id, 'd.bin', Body(b'd' * 300_000), 'u4')


async def test_outsiders_cannot_post_or_fetch_and_get_the_answer_of_a_missing_file(
        services: Services, alice: User, bob: User) -> None:
    room = await services.rooms.create_room(alice, 'secret', private=True)
    message = await services.uploads.upload(alice, room.id, 'plan.pdf', Body(b'%PDF-1.4 plan'), 'u1')
    assert message.attachment is not None
    body = Body(b'x' * MB)
    with pytest.raises(NotFound, match='That room does not exist'):
        await services.uploads.upload(bob, room.id, 'x.bin', body, 'u1')
    assert body.read == 0  # refused before reading
    for file_id in (message.attachment.id, 999, -1, 0):
        with pytest.raises(NotFound, match=r'^No such file$'):
            await services.uploads.download(bob, file_id)


async def test_deleting_the_last_message_that_uses_a_file_deletes_it(services: Services, alice: User) -> None:
    room = await services.rooms.default_room(alice)
    one = await services.uploads.upload(alice, room.id, 'cat.png', Body(photo('PNG')), 'u1')
    two = await services.uploads.upload(alice, room.id, 'again.png', Body(photo('PNG')), 'u2')
    assert one.attachment is not None and two.attachment is not None
    assert len(blob_files(services)) == 2  # the image and its thumbnail, once
    await services.messages.delete(alice, room.id, one.seq)
    assert len(blob_files(services)) == 2  # the second message still shows them
    with pytest.raises(NotFound):
        await services.uploads.download(alice, one.attachment.id)
    assert (await services.messages.latest(alice, room.id))[-2].attachment is None
    await services.messages.delete(alice, room.id, two.seq)
    assert blob_files(services) == []


async def test_the_same_file_posted_while_its_last_message_is_deleted_keeps_its_bytes(
        services: Services, alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """Content-addressed: a new post of the same bytes finds them there (and does not put them again) while the
    deleted message's handler is about to take them away; both orders of the two end with the bytes kept."""
    room = await services.rooms.default_room(alice)
    store = services.store
    release = store.release_attachments
    post = store.post_attachment

    # 1. the new message is posted between the release (no attachment used the bytes) and their deletion
    first = await services.uploads.upload(alice, room.id, 'a.txt', Body(b'the same bytes'), 'u1')

    async def release_then_post_again(message_id: int) -> list[str]:
        keys = await release(message_id)
        posted.append(await services.uploads.upload(alice, room.id, 'b.txt', Body(b'the same bytes'), 'u2'))
        return keys

    posted: list[Message] = []
    monkeypatch.setattr(store, 'release_attachments', release_then_post_again)
    await services.messages.delete(alice, room.id, first.seq)
    monkeypatch.setattr(store, 'release_attachments', release)
    (second,) = posted
    assert second.attachment is not None
    assert await read_all(services, alice, second.attachment.id) == b'the same bytes'

    # 2. the bytes are deleted after the new post found them there and before it commits
    async def delete_then_post(*args: object) -> tuple[Message, bool]:
        await services.messages.delete(alice, room.id, second.seq)  # its handler deletes the bytes now
        assert blob_files(services) == []
        return await post(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store, 'post_attachment', delete_then_post)
    third = await services.uploads.upload(alice, room.id, 'c.txt', Body(b'the same bytes'), 'u3')
    assert third.attachment is not None
    assert await read_all(services, alice, third.attachment.id) == b'the same bytes'


@pytest.mark.parametrize(('name', 'data', 'error'), [
    ('half.png', photo('PNG')[:300], 'That image is damaged or incomplete'),
    ('empty.txt', b'', 'That file is empty'),
])
async def test_a_bad_file_is_refused_with_a_sentence_and_nothing_kept(
        services: Services, alice: User, name: str, data: bytes, error: str) -> None:
    room = await services.rooms.default_room(alice)
    with pytest.raises(ValidationError, match=error):
        await services.uploads.upload(alice, room.id, name, Body(data), 'u1')
    assert blob_files(services) == [] and incoming(services) == []
    assert [m.kind for m in await services.messages.latest(alice, room.id)] == ['join']


async def test_bad_client_ids_and_captions_are_refused_before_reading(services: Services, alice: User) -> None:
    room = await services.rooms.default_room(alice)
    body = Body(b'data')
    with pytest.raises(ValidationError, match='message id is invalid'):
        await services.uploads.upload(alice, room.id, 'a.txt', body, '../../x')
    with pytest.raises(ValidationError, match='too long'):
        await services.uploads.upload(alice, room.id, 'a.txt', body, 'u1', 'x' * 10_000)
    assert body.read == 0


async def test_uploads_have_their_own_rate_limit(services: Services, alice: User) -> None:
    room = await services.rooms.default_room(alice)
    for i in range(services.settings.limits.upload_burst):
        await services.uploads.upload(alice, room.id, 'a.txt', Body(b'data %d' % i), f'u{i}')
    with pytest.raises(RateLimited):
        await services.uploads.upload(alice, room.id, 'a.txt', Body(b'more'), 'late')


async def test_the_local_blob_store_refuses_keys_that_are_paths(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    for key in ('../../etc/passwd', 'AB' * 32, 'ab' * 31, ''):
        with pytest.raises(ValueError):
            blobs.path(key)
    key = await blobs.put_bytes(b'hello')
    assert await blobs.exists(key) and b''.join([c async for c in blobs.read(key)]) == b'hello'
    await blobs.delete(key)
    await blobs.delete(key)  # nothing there: nothing happens
    assert not await blobs.exists(key)


async def test_start_sweeps_what_a_crash_left_of_uploads(services: Services) -> None:
    services.uploads.incoming.mkdir(parents=True, exist_ok=True)
    stale, fresh = services.uploads.incoming / 'upload-old', services.uploads.incoming / 'upload-new'
    stale.write_bytes(b'half'), fresh.write_bytes(b'in progress')
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    await services.uploads.start()
    assert incoming(services) == [fresh]
