"""The store contract for reactions and replies: the same answers on MemoryStore, SQLite and PostgreSQL."""
import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.errors import Forbidden, NotFound, ValidationError
from services.models import Reaction, ReplyRef, User

from .conftest import Store, StoreFactory

UP, HEART, PARTY = '\U0001F44D', '\u2764\ufe0f', '\U0001F389'
T0 = datetime(2026, 12, 1, 10, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def _room(store: Store, messages: int = 3) -> tuple[User, User, int]:
    alice = await store.create_user('alice', 'h')
    bob = await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    async with store.unit() as uow:
        await uow.add_member(room.id, bob.id)
    for n in range(1, messages + 1):
        await store.post_message(room.id, alice, f'm{n}', f'<p>m{n}</p>', f'c{n}')
    return alice, bob, room.id


async def test_reactions_are_added_once_aggregated_in_order_and_taken_back(store: Store) -> None:
    alice, bob, room_id = await _room(store)
    message = await store.get_message(room_id, 2)
    assert message is not None and message.reactions == ()
    assert await store.add_reaction(room_id, 2, bob.id, UP, at(1), 20) == (message.id, True)
    assert await store.add_reaction(room_id, 2, alice.id, HEART, at(2), 20) == (message.id, True)
    assert await store.add_reaction(room_id, 2, alice.id, UP, at(3), 20) == (message.id, True)
    assert await store.add_reaction(room_id, 2, alice.id, UP, at(4), 20) == (message.id, False)
    await store.add_reaction(room_id, 3, bob.id, PARTY, at(5), 20)
    expected = (Reaction(UP, 2, (bob.id, alice.id), ('bob', 'alice')),
                Reaction(HEART, 1, (alice.id,), ('alice',)))
    for read in (await store.get_message(room_id, 2), (await store.latest(room_id, 2))[0],
                 (await store.after(room_id, 1, 1))[0], (await store.before(room_id, 3, 1))[0]):
        assert read is not None and read.reactions == expected
    assert (await store.latest(room_id, 3))[0].reactions == ()
    assert await store.reactions_between(room_id, 1, 3) == {
        2: expected, 3: (Reaction(PARTY, 1, (bob.id,), ('bob',)),)}
    assert await store.reactions_between(room_id, 3, 3) == {3: (Reaction(PARTY, 1, (bob.id,), ('bob',)),)}

    assert await store.remove_reaction(room_id, 2, bob.id, UP) == (message.id, True)
    assert await store.remove_reaction(room_id, 2, bob.id, UP) == (message.id, False)
    assert await store.remove_reaction(room_id, 3, bob.id, PARTY) == (message.id + 1, True)
    assert await store.reactions_between(room_id, 1, 3) == {  # alice's heart came before her thumbs up
        2: (Reaction(HEART, 1, (alice.id,), ('alice',)), Reaction(UP, 1, (alice.id,), ('alice',)))}
    assert await store.reactions_between(room_id, 3, 9) == {}


async def test_reactions_are_refused_on_notices_deleted_missing_and_past_the_distinct_limit(store: Store) -> None:
    alice, bob, room_id = await _room(store, 1)
    async with store.unit() as uow:
        await uow.append_notice(room_id, bob.id, 'join', 'bob joined', 'bob joined')
    await store.post_message(room_id, bob, 'gone', '<p>gone</p>', 'b1')  # seq 3
    await store.add_reaction(room_id, 3, alice.id, UP, at(0), 20)
    assert await store.delete_message(room_id, 3)
    assert await store.reactions_between(room_id, 1, 3) == {}  # they went with it
    with pytest.raises(Forbidden):
        await store.add_reaction(room_id, 2, alice.id, UP, at(1), 20)
    with pytest.raises(Forbidden):
        await store.add_reaction(room_id, 3, alice.id, UP, at(1), 20)
    with pytest.raises(NotFound, match=r'^No such message$'):
        await store.add_reaction(room_id, 9, alice.id, UP, at(1), 20)
    with pytest.raises(NotFound, match=r'^No such message$'):
        await store.remove_reaction(room_id, 9, alice.id, UP)
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        await store.add_reaction(room_id + 100, 1, alice.id, UP, at(1), 20)
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        await store.reactions_between(room_id + 100, 1, 3)
    with pytest.raises(NotFound, match=r'^No such user$'):
        await store.add_reaction(room_id, 1, 98_765, UP, at(1), 20)
    await store.add_reaction(room_id, 1, alice.id, UP, at(1), 2)
    await store.add_reaction(room_id, 1, alice.id, HEART, at(2), 2)
    with pytest.raises(ValidationError):
        await store.add_reaction(room_id, 1, bob.id, PARTY, at(3), 2)
    assert await store.add_reaction(room_id, 1, bob.id, UP, at(3), 2) == (
        (await store.get_message(room_id, 1)).id, True)
    assert [r.count for r in (await store.latest(room_id, 3))[0].reactions] == [2, 1]


async def test_racing_adds_and_removes_store_each_reaction_once_and_keep_the_limit(store: Store) -> None:
    alice, bob, room_id = await _room(store, 1)
    results = await asyncio.gather(*(store.add_reaction(room_id, 1, bob.id, UP, at(i), 20)
                                     for i in range(10)))
    assert sum(added for _, added in results) == 1
    faces = [chr(0x1F600 + i) for i in range(8)]
    outcomes = await asyncio.gather(*(store.add_reaction(room_id, 1, alice.id, face, at(i), 5)
                                      for i, face in enumerate(faces)), return_exceptions=True)
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 4  # UP and four new ones: five different
    assert len((await store.latest(room_id, 1))[0].reactions) == 5
    removed = await asyncio.gather(*(store.remove_reaction(room_id, 1, bob.id, UP)
                                     for _ in range(5)))
    assert sum(gone for _, gone in removed) == 1


async def test_a_reply_keeps_its_parents_seq_and_reads_join_the_parent_as_it_is_now(store: Store) -> None:
    alice, bob, room_id = await _room(store, 1)
    parent, _ = await store.post_message(room_id, bob, '**Lunch** at noon?\nsecond line', 'h', 'b1')
    reply, created = await store.post_message(room_id, alice, 'yes', '<p>yes</p>', 'a1',
                                              reply_to=parent.seq)
    expected = ReplyRef(seq=parent.seq, author='bob', excerpt='Lunch at noon?', deleted=False)
    assert created and reply.reply_to == expected and parent.reply_to is None
    again, created = await store.post_message(room_id, alice, 'yes', '<p>yes</p>', 'a1',
                                              reply_to=parent.seq)
    assert not created and again.reply_to == expected
    for read in ((await store.latest(room_id, 1))[0], await store.get_message(room_id, reply.seq),
                 (await store.after(room_id, parent.seq, 5))[0]):
        assert read is not None and read.reply_to == expected
    assert (await store.latest(room_id, 2))[0].reply_to is None
    await store.add_reaction(room_id, reply.seq, bob.id, UP, at(0), 20)
    edited = await store.edit_message(room_id, reply.seq, alice.id, 'yes!', '<p>yes!</p>', at(1))
    assert edited.reply_to == expected and [r.emoji for r in edited.reactions] == [UP]
    assert [m.reply_to for m in await store.edited_between(room_id, 1, 9)] == [expected]
    assert await store.delete_message(room_id, parent.seq)
    assert (await store.latest(room_id, 1))[0].reply_to == ReplyRef(seq=parent.seq, author='bob', excerpt='',
                                                                     deleted=True)


async def test_reactions_and_replies_survive_reopening(open_store: StoreFactory) -> None:
    store = await open_store()
    alice, bob, room_id = await _room(store, 1)
    await store.post_message(room_id, alice, 're', '<p>re</p>', 'a9', reply_to=1)
    await store.add_reaction(room_id, 1, bob.id, UP, at(0), 20)
    reopened = await open_store()
    first, second = await reopened.latest(room_id, 2)
    assert [r.emoji for r in first.reactions] == [UP]
    assert second.reply_to is not None and second.reply_to.seq == 1
