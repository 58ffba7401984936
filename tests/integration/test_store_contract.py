"""One contract, three stores: what the services rely on, checked on each adapter."""
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.errors import Conflict, Forbidden, NotFound
from services.models import AuthSession

from .conftest import Store, StoreFactory


async def join(store: Store, room_id: int, user_id: int, text: str) -> object:
    """A join as the services write it: membership and notice in one unit of work; None if already a member."""
    async with store.unit() as uow:
        if not await uow.add_member(room_id, user_id):
            return None
        return await uow.append_notice(room_id, user_id, 'join', text, text)


async def leave(store: Store, room_id: int, user_id: int, text: str) -> object:
    async with store.unit() as uow:
        if await uow.remove_member(room_id, user_id) is None:
            return None
        return await uow.append_notice(room_id, user_id, 'leave', text, text)


async def test_users_are_unique_case_insensitively(store: Store) -> None:
    alice = await store.create_user('alice', 'hash-1')
    assert alice.created_at.tzinfo is not None and alice.created_at.utcoffset() == UTC.utcoffset(None)
    with pytest.raises(Conflict):
        await store.create_user('ALICE', 'hash-2')
    assert await store.get_credentials('Alice') == (alice, 'hash-1')
    await store.set_password_hash(alice.id, 'hash-3')
    assert await store.get_credentials('alice') == (alice, 'hash-3')
    assert await store.get_user(alice.id) == alice
    assert await store.get_user(alice.id + 100) is None
    assert await store.get_credentials('nobody') is None


async def test_find_users_by_prefix_in_name_order(store: Store) -> None:
    """The "People" field's suggestions: names that start with what was typed, case-insensitively, by code point;
    a '%' or '_' typed is a character, not a pattern."""
    for name in ('bob', 'bo_b', 'boa', 'alice', 'rob'):
        await store.create_user(name, 'h')
    assert [u.username for u in await store.find_users('BO', 10)] == ['bo_b', 'boa', 'bob']
    assert [u.username for u in await store.find_users('bo', 2)] == ['bo_b', 'boa']
    assert [u.username for u in await store.find_users('bo_', 10)] == ['bo_b']
    assert [u.username for u in await store.find_users('%', 10)] == []
    assert await store.find_users('zed', 10) == []


async def test_rooms_memberships_and_listing(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    bob = await store.create_user('bob', 'h')
    general = await store.create_room('general', 'Company-wide chat', None)
    assert (general.created_by, general.member_count) == (None, 0)
    dev = await store.create_room('dev_50%', 'x', alice.id)
    assert dev.member_count == 1 and await store.is_member(dev.id, alice.id)
    with pytest.raises(Conflict):
        await store.create_room('DEV_50%', '', bob.id)
    assert await store.get_room_by_name('Dev_50%') == dev
    assert [r.name for r in await store.list_rooms('', 10, 0)] == ['dev_50%', 'general']
    assert [r.name for r in await store.list_rooms('_50%', 10, 0)] == ['dev_50%']  # wildcards are literal
    assert [r.name for r in await store.list_rooms('n_r', 10, 0)] == []
    assert [r.name for r in await store.list_rooms('', 1, 1)] == ['general']
    assert [r.name for r in await store.rooms_of(alice.id)] == ['dev_50%']
    assert (await store.set_topic(dev.id, 'new')).topic == 'new'
    assert (await store.get_room(dev.id)).topic == 'new'  # type: ignore[union-attr]
    assert await store.get_room(9999) is None


async def test_join_and_leave_write_notices_in_the_sequence(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', None)
    joined = await join(store, room.id, alice.id, 'alice joined')
    assert joined is not None and (joined.seq, joined.kind, joined.body, joined.author_name) == (
        1, 'join', 'alice joined', 'alice')
    assert await join(store, room.id, alice.id, 'alice joined') is None
    assert await store.members(room.id) == [alice]
    assert (await store.get_room(room.id)).member_count == 1  # type: ignore[union-attr]
    left = await leave(store, room.id, alice.id, 'alice left')
    assert left is not None and (left.seq, left.kind) == (2, 'leave')
    assert await leave(store, room.id, alice.id, 'alice left') is None
    assert not await store.is_member(room.id, alice.id)
    assert [m.seq for m in await store.latest(room.id, 10)] == [1, 2]


async def test_append_and_read_history(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    for i in range(1, 8):
        message, created = await store.post_message(room.id, alice, f'body {i}', f'<p>{i}</p>', f'c{i}')
        assert created and message.seq == i and message.created_at.tzinfo is not None
    again, created = await store.post_message(room.id, alice, 'other', '<p>x</p>', 'c3')
    assert not created and (again.seq, again.body) == (3, 'body 3')
    assert [m.seq for m in await store.latest(room.id, 3)] == [5, 6, 7]
    assert [m.seq for m in await store.before(room.id, 5, 2)] == [3, 4]
    assert [m.seq for m in await store.before(room.id, 1, 5)] == []
    assert [m.seq for m in await store.after(room.id, 5, 10)] == [6, 7]
    assert [m.seq for m in await store.after(room.id, 0, 2)] == [1, 2]
    assert (await store.latest(room.id, 1))[0].html == '<p>7</p>'
    with pytest.raises(NotFound):
        await store.post_message(9999, alice, 'x', 'x', 'c')


async def test_deleted_messages_keep_their_seq_and_are_listed_by_range(store: Store) -> None:
    """A deletion empties the message but keeps its place; a page that was away asks which of the seqs it shows
    were deleted meanwhile."""
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    for n in range(1, 6):
        await store.post_message(room.id, alice, f'm{n}', f'<p>m{n}</p>', f'c{n}')
    assert await store.delete_message(room.id, 2) and await store.delete_message(room.id, 4)
    assert not await store.delete_message(room.id, 4)  # once
    gone = await store.get_message(room.id, 2)
    assert gone is not None and (gone.deleted, gone.body, gone.html, gone.seq) == (True, '', '', 2)
    assert [(m.seq, m.deleted) for m in await store.after(room.id, 0, 10)] == [
        (1, False), (2, True), (3, False), (4, True), (5, False)]
    assert await store.deleted_between(room.id, 1, 5) == [2, 4]
    assert await store.deleted_between(room.id, 3, 4) == [4]
    assert await store.deleted_between(room.id, 5, 99) == []
    with pytest.raises(NotFound):
        await store.deleted_between(room.id + 100, 1, 5)


async def test_an_edit_rewrites_the_message_keeps_what_it_replaced_and_is_listed_by_range(store: Store) -> None:
    """An edit is one transaction: the old text into the history, the new one into the row with edited_at."""
    alice = await store.create_user('alice', 'h')
    bob = await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    await join(store, room.id, bob.id, 'bob joined')  # seq 1, a notice
    for n in range(2, 6):
        await store.post_message(room.id, alice, f'm{n}', f'<p>m{n}</p>', f'c{n}')
    first, second = datetime(2026, 12, 1, 10, tzinfo=UTC), datetime(2026, 12, 1, 11, tzinfo=UTC)
    edited = await store.edit_message(room.id, 3, alice.id, 'm3 fixed', '<p>m3 fixed</p>', first)
    assert (edited.seq, edited.body, edited.html, edited.edited_at, edited.client_id) == (
        3, 'm3 fixed', '<p>m3 fixed</p>', first, 'c3')
    await store.edit_message(room.id, 3, alice.id, 'm3 final', '<p>m3 final</p>', second)
    stored = await store.get_message(room.id, 3)
    assert stored is not None and (stored.body, stored.edited_at) == ('m3 final', second)
    assert [(v.body, v.html, v.replaced_at) for v in await store.edit_history(room.id, 3)] == [
        ('m3', '<p>m3</p>', first), ('m3 fixed', '<p>m3 fixed</p>', second)]
    assert [m.edited for m in await store.after(room.id, 0, 10)] == [False, False, True, False, False]
    await store.edit_message(room.id, 5, alice.id, 'm5 fixed', '<p>m5 fixed</p>', first)
    assert [(m.seq, m.body) for m in await store.edited_between(room.id, 1, 5)] == [(3, 'm3 final'), (5, 'm5 fixed')]
    assert [m.seq for m in await store.edited_between(room.id, 4, 5)] == [5]
    assert await store.delete_message(room.id, 5)
    assert [m.seq for m in await store.edited_between(room.id, 1, 99)] == [3]  # deleted: not refreshed as edited
    assert await store.edit_history(room.id, 5) == []  # the earlier texts went with it
    with pytest.raises(NotFound):
        await store.edited_between(room.id + 100, 1, 5)


async def test_an_edit_is_refused_for_others_notices_deleted_and_missing_messages_changing_nothing(
        store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    bob = await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    await join(store, room.id, bob.id, 'bob joined')  # seq 1
    await store.post_message(room.id, alice, 'mine', '<p>mine</p>', 'c2')
    await store.post_message(room.id, alice, 'gone', '<p>gone</p>', 'c3')
    assert await store.delete_message(room.id, 3)
    at = datetime.now(UTC)
    for seq, author, error in ((2, bob.id, Forbidden), (1, bob.id, Forbidden), (3, alice.id, Forbidden),
                               (9, alice.id, NotFound)):
        with pytest.raises(error):
            await store.edit_message(room.id, seq, author, 'changed', '<p>changed</p>', at)
    with pytest.raises(NotFound):
        await store.edit_message(room.id + 100, 2, alice.id, 'changed', '<p>changed</p>', at)
    assert [(m.body, m.edited) for m in await store.after(room.id, 0, 10)] == [
        ('bob joined', False), ('mine', False), ('', False)]
    assert await store.edit_history(room.id, 2) == []


async def test_two_hundred_concurrent_appends_get_dense_seqs(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('busy', '', alice.id)
    results = await asyncio.gather(*(
        store.post_message(room.id, alice, f'm{i}', 'h', f'c{i}') for i in range(200)))
    assert sorted(m.seq for m, created in results if created) == list(range(1, 201))
    history = await store.after(room.id, 0, 200)
    assert [m.seq for m in history] == list(range(1, 201))
    assert sorted(m.body for m in history) == sorted(f'm{i}' for i in range(200))


async def test_concurrent_retries_store_once(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    results = await asyncio.gather(*(
        store.post_message(room.id, alice, 'hello', 'h', 'same-id') for _ in range(5)))
    assert sum(created for _, created in results) == 1
    assert {m.id for m, _ in results} == {results[0][0].id}
    assert [m.seq for m in await store.latest(room.id, 10)] == [1]
    message, created = await store.post_message(room.id, alice, 'next', 'h', 'next-id')
    assert created and message.seq == 2  # the refused duplicates did not burn sequence numbers


async def test_history_survives_reopening(open_store: StoreFactory) -> None:
    first = await open_store()
    alice = await first.create_user('alice', 'h')
    room = await first.create_room('dev', 'topic', alice.id)
    await first.post_message(room.id, alice, 'kept', '<p>kept</p>', 'c1')
    await first.close()
    second = await open_store()
    [message] = await second.latest(room.id, 10)
    assert (message.body, message.author_name) == ('kept', 'alice')
    assert await second.get_room_by_name('dev') == room
    assert await second.get_credentials('alice') == (alice, 'h')


async def test_post_message_checks_membership_in_its_transaction(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    with pytest.raises(Forbidden):
        await store.post_message(room.id, bob, 'let me in', 'h', 'b1')
    with pytest.raises(NotFound):
        await store.post_message(room.id + 99, alice, 'nowhere', 'h', 'a0')
    assert await store.latest(room.id, 10) == []  # refused posts leave no trace, no seq used
    message, created = await store.post_message(room.id, alice, 'hi', '<p>hi</p>', 'a1')
    assert created and message.seq == 1 and message.author_name == 'alice' and message.html == '<p>hi</p>'
    assert (await store.latest(room.id, 10)) == [message]  # what it returned is what a reader gets


async def test_concurrent_posts_and_retries_are_dense_and_stored_once(store: Store) -> None:
    users = [await store.create_user(f'user{i}', 'h') for i in range(4)]
    room = await store.create_room('busy', '', users[0].id)
    for user in users[1:]:
        await join(store, room.id, user.id, f'{user.username} joined')
    before = (await store.latest(room.id, 1))[0].seq
    sends = [store.post_message(room.id, users[i % 50 % 4], f'm{i % 50}', 'h', f'c{i % 50}') for i in range(200)]
    results = await asyncio.gather(*sends)  # every client id is sent by the same user 1 to 4 times
    assert sum(created for _, created in results) == 50
    history = await store.after(room.id, before, 200)
    assert [m.seq for m in history] == list(range(before + 1, before + 51))
    assert len({(m.author_id, m.client_id) for m in history}) == 50
    assert sorted(m.body for m in history) == sorted(f'm{i}' for i in range(50))


# Unknown ids. The services look a room up before they touch it, so these are races (or bugs) that must
# still end in a typed error the caller can show, never a driver exception nor a silent empty answer.
NO_ID = 987_654


async def test_reads_of_an_unknown_room_raise_not_found(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    empty = await store.create_room('empty', '', None)  # exists, no member, no message: answers are empty
    assert (await store.latest(empty.id, 10), await store.before(empty.id, 5, 10)) == ([], [])
    assert (await store.after(empty.id, 0, 10), await store.members(empty.id)) == ([], [])
    reads: list[Callable[[], Awaitable[object]]] = [
        lambda: store.latest(NO_ID, 10), lambda: store.before(NO_ID, 5, 10), lambda: store.after(NO_ID, 0, 10),
        lambda: store.members(NO_ID)]
    for read in reads:
        with pytest.raises(NotFound, match='That room does not exist'):
            await read()
    assert not await store.is_member(NO_ID, alice.id)  # a question, not a lookup: False
    assert await store.get_room(NO_ID) is None


async def test_writes_to_an_unknown_room_raise_not_found_and_change_nothing(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    writes: list[Callable[[], Awaitable[object]]] = [
        lambda: join(store, NO_ID, alice.id, 'alice joined'), lambda: leave(store, NO_ID, alice.id, 'alice left'),
        lambda: store.set_topic(NO_ID, 'topic'), lambda: store.post_message(NO_ID, alice, 'x', 'x', 'c1')]
    for write in writes:
        with pytest.raises(NotFound, match='That room does not exist'):
            await write()
    assert await store.rooms_of(alice.id) == [] and await store.list_rooms('', 10, 0) == []


async def test_an_unknown_user_raises_not_found_and_changes_nothing(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    with pytest.raises(NotFound, match='No such user'):
        await store.create_room('ghost-room', '', NO_ID)
    assert await store.get_room_by_name('ghost-room') is None
    with pytest.raises(Conflict):  # a taken name is the first thing said, whoever asks
        await store.create_room('dev', '', NO_ID)
    with pytest.raises(NotFound, match='No such user'):
        await join(store, room.id, NO_ID, 'ghost joined')
    with pytest.raises(NotFound, match='No such user'):
        await store.set_password_hash(NO_ID, 'hash')
    assert await leave(store, room.id, NO_ID, 'ghost left') is None  # not a member: nothing to do, like a non-member
    ghost = replace(alice, id=NO_ID, username='ghost')
    with pytest.raises(Forbidden):
        await store.post_message(room.id, ghost, 'boo', 'boo', 'g1')
    assert await store.rooms_of(NO_ID) == [] and not await store.is_member(room.id, NO_ID)
    assert await store.members(room.id) == [alice]
    assert await store.latest(room.id, 10) == []  # no notice, no seq used
    assert (await store.get_room(room.id)).member_count == 1  # type: ignore[union-attr]


async def test_names_sort_by_code_point_everywhere(store: Store) -> None:
    """Room and member lists come in one order on every adapter and database locale: by code point
    ('-' < '.' < digits < '_' < letters), as SQLite and Python compare, not by a language's rules."""
    names = ['ab', 'a_z', 'a0', 'a.b', 'a-c']
    first, *others = [await store.create_user(name, 'h') for name in names]
    for name in names:
        await store.create_room(f'room{name}', '', first.id)
    expected = sorted(names)
    assert [r.name for r in await store.list_rooms('', 10, 0)] == [f'room{n}' for n in expected]
    assert [r.name for r in await store.list_rooms('', 2, 2)] == [f'room{n}' for n in expected[2:4]]
    assert [r.name for r in await store.rooms_of(first.id)] == [f'room{n}' for n in expected]
    room = await store.get_room_by_name('roomab')
    assert room is not None
    for user in others:
        await join(store, room.id, user.id, f'{user.username} joined')
    assert [u.username for u in await store.members(room.id)] == expected


async def test_page_arguments_out_of_range_read_the_same_everywhere(store: Store) -> None:
    """The services clamp them first; the adapters still agree, so a caller that forgets gets no surprise."""
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    for i in range(3):
        await store.post_message(room.id, alice, f'm{i}', 'h', f'c{i}')
    for limit in (0, -1):
        assert await store.latest(room.id, limit) == []
        assert await store.before(room.id, 4, limit) == []
        assert await store.after(room.id, 0, limit) == []
    assert [m.seq for m in await store.after(room.id, -5, 10)] == [1, 2, 3]
    assert [m.seq for m in await store.before(room.id, 10**6, 10)] == [1, 2, 3]
    assert await store.before(room.id, -5, 10) == []
    assert [r.name for r in await store.list_rooms('', 10, -3)] == ['dev']
    assert await store.list_rooms('', 0, 0) == [] and await store.list_rooms('', -1, 0) == []


# sessions and sign-in tickets (hostile-auth)
def _session(user_id: int, sid: str, kind: str = 'session', *, seen_ago: float = 0, expires_in: float = 3600,
             binding: str = '') -> AuthSession:
    now = datetime.now(UTC)
    return AuthSession(sid, user_id, kind, now - timedelta(seconds=seen_ago),  # type: ignore[arg-type]
                       now - timedelta(seconds=seen_ago), now + timedelta(seconds=expires_in), binding)


async def test_sessions_are_stored_touched_and_taken_once(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    session = _session(alice.id, 'a' * 64)
    await store.create_session(session)
    with pytest.raises(Conflict):
        await store.create_session(session)
    with pytest.raises(NotFound):
        await store.create_session(_session(alice.id + 100, 'b' * 64))
    assert await store.get_session(session.id) == session
    later = session.last_seen_at + timedelta(minutes=10)
    await store.touch_session(session.id, later)
    assert (await store.get_session(session.id)).last_seen_at == later  # type: ignore[union-attr]
    await store.touch_session('z' * 64, later)  # unknown: nothing happens
    ticket = _session(alice.id, 't' * 64, 'ticket', binding='browser')
    await store.create_session(ticket)
    taken = await asyncio.gather(*(store.take_session(ticket.id) for _ in range(10)))
    assert [t for t in taken if t is not None] == [ticket]  # single use, even under concurrency
    assert await store.get_session(ticket.id) is None


async def test_ending_every_session_of_a_user_keeps_one_if_asked(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    bob = await store.create_user('bob', 'h')
    for i in range(3):
        await store.create_session(_session(alice.id, f'{i}' * 64))
    await store.create_session(_session(alice.id, 't' * 64, 'ticket'))
    await store.create_session(_session(bob.id, 'b' * 64))
    assert sorted(await store.delete_user_sessions(alice.id, except_id='0' * 64)) == ['1' * 64, '2' * 64]
    assert await store.get_session('0' * 64) is not None and await store.get_session('t' * 64) is not None
    assert await store.delete_user_sessions(alice.id) == ['0' * 64]
    assert await store.get_session('b' * 64) is not None


async def test_purge_removes_expired_and_idle_rows(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    await store.create_session(_session(alice.id, 'e' * 64, expires_in=-1))  # past its absolute expiry
    await store.create_session(_session(alice.id, 'i' * 64, seen_ago=7200))  # idle for two hours
    await store.create_session(_session(alice.id, 'l' * 64, seen_ago=60))
    await store.create_session(_session(alice.id, 't' * 64, 'ticket', seen_ago=7200))  # tickets: expiry only
    now = datetime.now(UTC)
    gone = await store.purge_sessions(now, now - timedelta(hours=1))
    assert sorted(gone) == [(alice.id, 'e' * 64), (alice.id, 'i' * 64)]
    assert await store.get_session('l' * 64) is not None and await store.get_session('t' * 64) is not None
