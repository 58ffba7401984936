"""The store contract for files in messages: the same answers on MemoryStore, SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio

import pytest

from services.errors import Forbidden, NotFound
from services.models import Attachment

from .conftest import Store, StoreFactory

NO_ID = 987_654
A, B, C = 'a' * 64, 'b' * 64, 'c' * 64


def file(sha: str = A, thumb: str | None = B, name: str = 'cat.png', size: int = 100) -> Attachment:
    return Attachment(id=0, name=name, mime='image/png', size=size, sha256=sha, thumb_sha256=thumb, width=80,
                      height=60)


async def test_a_message_with_a_file_is_posted_in_one_transaction_and_read_back_with_it(
        open_store: StoreFactory) -> None:
    store = await open_store()
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    message, created = await store.post_attachment(room.id, alice, 'look', '<p>look</p>', 'c1', file())
    assert created and message.seq == 1 and message.attachment is not None
    assert message.attachment.id > 0
    assert message.attachment == Attachment(id=message.attachment.id, name='cat.png', mime='image/png', size=100,
                                            sha256=A, thumb_sha256=B, width=80, height=60)
    plain, _ = await store.post_message(room.id, alice, 'no file', '<p>no file</p>', 'c2')
    assert plain.attachment is None
    reopened = await open_store()
    for read in (await reopened.latest(room.id, 10), await reopened.after(room.id, 0, 10),
                 await reopened.before(room.id, 3, 10)):
        assert [m.attachment for m in read] == [message.attachment, None]
    assert await reopened.get_message(room.id, 1) == message
    stored = await reopened.get_attachment(message.attachment.id)
    assert stored is not None and (stored.room_id, stored.message_id, stored.uploader_id, stored.deleted) == (
        room.id, message.id, alice.id, False)
    assert stored.attachment == message.attachment
    assert await reopened.get_attachment(NO_ID) is None


async def test_a_retry_returns_the_stored_message_and_stores_nothing(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    first, _ = await store.post_attachment(room.id, alice, '', '', 'c1', file())
    again, created = await store.post_attachment(room.id, alice, '', '', 'c1', file(sha=C, name='other.png'))
    assert not created and again == first
    assert await store.upload_usage(alice.id) == 100
    assert len(await store.latest(room.id, 10)) == 1


async def test_only_members_post_files_in_existing_rooms(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    with pytest.raises(Forbidden):
        await store.post_attachment(room.id, bob, '', '', 'c1', file())
    with pytest.raises(NotFound, match='That room does not exist'):
        await store.post_attachment(NO_ID, alice, '', '', 'c1', file())
    assert await store.upload_usage(bob.id) == 0 and await store.latest(room.id, 10) == []
    assert await store.blobs_in_use([A, B]) == set()


async def test_usage_counts_a_users_files_and_release_returns_the_blobs_no_one_uses(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    async with store.unit() as uow:
        await uow.add_member(room.id, bob.id)
    one, _ = await store.post_attachment(room.id, alice, '', '', 'c1', file(A, B, size=100))
    two, _ = await store.post_attachment(room.id, bob, '', '', 'c1', file(A, B, size=100))
    three, _ = await store.post_attachment(room.id, alice, '', '', 'c2', file(C, None, 'notes.txt', 7))
    assert (await store.upload_usage(alice.id), await store.upload_usage(bob.id)) == (107, 100)
    assert await store.blobs_in_use([A, B, C, 'd' * 64]) == {A, B, C}

    assert await store.delete_message(room.id, one.seq)
    deleted = await store.get_message(room.id, one.seq)
    assert deleted is not None and deleted.attachment is None  # a deleted message shows no file
    assert one.attachment is not None
    gone = await store.get_attachment(one.attachment.id)
    assert gone is None or gone.deleted  # until released, its row says the message is deleted
    assert await store.release_attachments(one.id) == []  # bob's message still uses both blobs
    assert await store.release_attachments(one.id) == []
    assert await store.get_attachment(one.attachment.id) is None
    assert await store.upload_usage(alice.id) == 7
    assert await store.delete_message(room.id, two.seq)
    assert await store.release_attachments(two.id) == sorted([A, B])
    assert await store.release_attachments(three.id) == [C]  # released without a delete: its row goes too
    assert await store.blobs_in_use([A, B, C]) == set()
    assert await store.release_attachments(NO_ID) == []


async def test_two_posts_at_once_get_dense_seqs(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    posted = await asyncio.gather(*(store.post_attachment(room.id, alice, '', '', f'c{i}', file())
                                    for i in range(6)))
    assert sorted(m.seq for m, _ in posted) == [1, 2, 3, 4, 5, 6]
    assert len({m.attachment.id for m, _ in posted if m.attachment}) == 6


async def test_posting_a_file_reads_it_for_its_author_as_posting_text_does(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    async with store.unit() as uow:
        await uow.add_member(room.id, bob.id)
    message, _ = await store.post_attachment(room.id, alice, 'look', '<p>look</p>', 'c1', file())
    assert (await store.read_states(alice.id))[room.id].last_read_seq == message.seq
    assert (await store.read_states(bob.id))[room.id].unread == 1
