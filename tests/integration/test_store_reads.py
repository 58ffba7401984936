"""The store contract for attention (ports/reads.py): read positions, unread and mention counts, receipts, mute,
mentions written with the message. The same answers on MemoryStore, SQLite and PostgreSQL."""
import pytest

from services.errors import NotFound
from services.models import UNREAD_CAP, ReadState, Receipt, Room, User

from .conftest import Store

NO_ID = 987_654


async def _post(store: Store, room: Room, author: User, n: int, prefix: str = 'm',
                mentions: tuple[int, ...] = ()) -> list[int]:
    seqs = []
    for i in range(n):
        message, _ = await store.post_message(room.id, author, f'{prefix}{i}', f'<p>{prefix}{i}</p>', f'{prefix}-{i}',
                                              mentions=mentions)
        seqs.append(message.seq)
    return seqs


async def _people(store: Store) -> tuple[User, User, Room]:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    async with store.unit() as uow:
        await uow.add_member(room.id, bob.id)
    return alice, bob, room


async def test_joining_reads_what_is_there_and_posting_reads_ones_own(store: Store) -> None:
    alice, bob, room = await _people(store)
    carol = await store.create_user('carol', 'h')
    assert await store.read_states(alice.id) == {room.id: ReadState(room.id, 0, 0, 0, False)}
    await _post(store, room, alice, 3)
    assert (await store.read_states(alice.id))[room.id] == ReadState(room.id, 3, 0, 0, False)  # her own: read
    assert (await store.read_states(bob.id))[room.id] == ReadState(room.id, 0, 3, 0, False)
    assert (await store.read_states(bob.id))[room.id].last_seq == 3  # what the counts reach
    async with store.unit() as uow:  # joining: everything there counts as read
        await uow.add_member(room.id, carol.id)
        await uow.append_notice(room.id, carol.id, 'join', 'carol joined', '')
    assert (await store.read_states(carol.id))[room.id] == ReadState(room.id, 3, 0, 0, False)
    assert (await store.read_states(bob.id))[room.id].unread == 3  # a notice is not unread
    assert await store.read_states(carol.id, NO_ID) == {}
    dm, _ = await store.create_direct('dm', [alice.id, bob.id], f'{alice.id}:{bob.id}')
    group, _ = await store.create_direct('group', [alice.id, bob.id, carol.id], None)
    states = await store.read_states(bob.id)
    assert set(states) == {room.id, dm.id, group.id} and states[dm.id] == ReadState(dm.id, 0, 0, 0, False)


async def test_a_position_moves_forward_only_and_stops_at_the_last_message(store: Store) -> None:
    alice, bob, room = await _people(store)
    await _post(store, room, alice, 5)
    assert await store.mark_read(room.id, bob.id, 2) == ReadState(room.id, 2, 3, 0, False)
    assert await store.mark_read(room.id, bob.id, 1) is None  # backwards: nothing moves
    assert await store.mark_read(room.id, bob.id, 2) is None
    assert await store.mark_read(room.id, bob.id, 99) == ReadState(room.id, 5, 0, 0, False)  # clamped
    assert await store.mark_read(room.id, bob.id, 99) is None
    assert (await store.read_states(bob.id, room.id))[room.id].last_read_seq == 5
    carol = await store.create_user('carol', 'h')
    assert await store.mark_read(room.id, carol.id, 3) is None  # not a member: no position
    assert await store.read_states(carol.id, room.id) == {}
    with pytest.raises(NotFound, match='That room does not exist'):
        await store.mark_read(NO_ID, bob.id, 1)


async def test_unread_leaves_out_ones_own_deleted_messages_and_notices(store: Store) -> None:
    alice, bob, room = await _people(store)
    await _post(store, room, alice, 4)
    await _post(store, room, bob, 2, 'b')
    assert (await store.read_states(bob.id))[room.id].unread == 0  # posting read up to his own message
    await _post(store, room, alice, 3, 'later')
    async with store.unit() as uow:
        await uow.append_notice(room.id, alice.id, 'leave', 'x', '')
    assert await store.delete_message(room.id, 7)
    assert (await store.read_states(bob.id))[room.id] == ReadState(room.id, 6, 2, 0, False)


async def test_counts_stop_at_the_cap(store: Store) -> None:
    alice, bob, room = await _people(store)
    await _post(store, room, alice, UNREAD_CAP + 3, mentions=(bob.id,))
    state = (await store.read_states(bob.id))[room.id]
    assert (state.unread, state.mentions) == (UNREAD_CAP, UNREAD_CAP)


async def test_mentions_count_after_the_position_until_read(store: Store) -> None:
    alice, bob, room = await _people(store)
    await _post(store, room, alice, 2, 'plain')
    await _post(store, room, alice, 2, 'hey', mentions=(bob.id, bob.id))
    assert (await store.read_states(bob.id))[room.id] == ReadState(room.id, 0, 4, 2, False)
    assert (await store.read_states(alice.id))[room.id].mentions == 0
    assert await store.mark_read(room.id, bob.id, 3) == ReadState(room.id, 3, 1, 1, False)
    assert await store.delete_message(room.id, 4)
    assert (await store.read_states(bob.id))[room.id] == ReadState(room.id, 3, 0, 0, False)
    await _post(store, room, alice, 1, 'again', mentions=(bob.id,))
    assert (await store.read_states(bob.id))[room.id].mentions == 1
    with pytest.raises(NotFound, match='No such user'):
        await _post(store, room, alice, 1, 'ghost', mentions=(NO_ID,))
    assert len(await store.latest(room.id, 50)) == 5  # nothing half-written


async def test_receipts_list_members_who_send_them(store: Store) -> None:
    alice, bob, room = await _people(store)
    carol = await store.create_user('carol', 'h')
    async with store.unit() as uow:
        await uow.add_member(room.id, carol.id)  # joins at 0: left out until she reads something
    assert await store.sends_receipts(bob.id) and not await store.sends_receipts(NO_ID)
    await _post(store, room, alice, 3)
    await store.mark_read(room.id, bob.id, 2)
    assert await store.receipts(room.id) == [Receipt(alice.id, 'alice', 3), Receipt(bob.id, 'bob', 2)]
    await store.set_send_receipts(bob.id, False)
    assert not await store.sends_receipts(bob.id)
    assert await store.receipts(room.id) == [Receipt(alice.id, 'alice', 3)]
    await store.set_send_receipts(bob.id, True)
    assert [r.username for r in await store.receipts(room.id)] == ['alice', 'bob']
    with pytest.raises(NotFound, match='No such user'):
        await store.set_send_receipts(NO_ID, False)
    with pytest.raises(NotFound, match='That room does not exist'):
        await store.receipts(NO_ID)


async def test_mute_is_a_flag_of_the_membership(store: Store) -> None:
    alice, bob, room = await _people(store)
    carol = await store.create_user('carol', 'h')
    assert await store.set_muted(room.id, bob.id, True)
    assert not await store.set_muted(room.id, bob.id, True)
    assert (await store.read_states(bob.id))[room.id].muted
    assert not (await store.read_states(alice.id))[room.id].muted
    assert not await store.set_muted(room.id, carol.id, True)  # not a member
    async with store.unit() as uow:  # leaving ends the membership and its flag
        await uow.remove_member(room.id, bob.id)
    async with store.unit() as uow:
        await uow.add_member(room.id, bob.id)
    assert not (await store.read_states(bob.id))[room.id].muted
    assert await store.set_muted(room.id, bob.id, True) and await store.set_muted(room.id, bob.id, False)
    with pytest.raises(NotFound, match='That room does not exist'):
        await store.set_muted(NO_ID, bob.id, True)


async def test_rejoining_reads_what_was_posted_meanwhile(store: Store) -> None:
    alice, bob, room = await _people(store)
    async with store.unit() as uow:
        await uow.remove_member(room.id, bob.id)
    await _post(store, room, alice, 4)
    async with store.unit() as uow:
        await uow.add_member(room.id, bob.id)
    assert (await store.read_states(bob.id))[room.id] == ReadState(room.id, 4, 0, 0, False)


async def test_a_failed_unit_leaves_no_position(store: Store) -> None:
    alice, _bob, room = await _people(store)
    carol = await store.create_user('carol', 'h')
    await _post(store, room, alice, 2)
    with pytest.raises(RuntimeError):
        async with store.unit() as uow:
            await uow.add_member(room.id, carol.id)
            raise RuntimeError('boom')
    assert await store.read_states(carol.id) == {}
    assert await store.mark_read(room.id, carol.id, 2) is None


async def test_mark_all_read_moves_every_conversation_behind(store: Store) -> None:
    alice, bob, room = await _people(store)
    other = await store.create_room('other', '', alice.id)
    quiet = await store.create_room('quiet', '', bob.id)
    async with store.unit() as uow:
        await uow.add_member(other.id, bob.id)
    await _post(store, room, alice, 3)
    await _post(store, other, alice, 2, 'o', mentions=(bob.id,))
    await store.set_muted(other.id, bob.id, True)
    moved = await store.mark_all_read(bob.id)
    assert moved == [ReadState(room.id, 3, 0, 0, False), ReadState(other.id, 2, 0, 0, True)]
    assert await store.mark_all_read(bob.id) == []
    assert (await store.read_states(bob.id))[quiet.id] == ReadState(quiet.id, 0, 0, 0, False)


async def test_members_named_finds_members_only(store: Store) -> None:
    alice, bob, room = await _people(store)
    await store.create_user('carol', 'h')
    assert await store.members_named(room.id, {'alice', 'bob', 'carol', 'nobody'}) == {'alice': alice.id,
                                                                                       'bob': bob.id}
    assert await store.members_named(room.id, set()) == {}


async def test_mark_reads_writes_many_in_one_go_and_skips_what_cannot_move(store: Store) -> None:
    alice, bob, room = await _people(store)
    carol = await store.create_user('carol', 'h')  # not a member
    other = await store.create_room('ops', '', bob.id)
    await _post(store, room, alice, 4)
    await _post(store, other, bob, 2)
    await store.post_message(other.id, bob, 'x', '<p>x</p>', 'x-1')
    moved = await store.mark_reads([(room.id, bob.id, 2), (room.id, carol.id, 3), (NO_ID, bob.id, 1),
                                    (other.id, bob.id, 1), (room.id, alice.id, 99)])
    # bob moved in dev (2 of 4 left); carol is no member, the missing room moves nothing, bob's own messages in
    # ops were read already, alice had read hers
    assert moved == [(bob.id, ReadState(room.id, 2, 2, 0, False))]
    assert await store.mark_reads([(room.id, bob.id, 99)]) == [(bob.id, ReadState(room.id, 4, 0, 0, False))]
    assert await store.mark_reads([]) == []
    dave = await store.create_user('dave', 'h')
    async with store.unit() as uow:
        await uow.add_member(room.id, carol.id)
        await uow.add_member(room.id, dave.id)
    await _post(store, room, alice, 2, prefix='n')
    moved = await store.mark_reads([(room.id, carol.id, 99), (room.id, dave.id, 5), (room.id, bob.id, 4)])
    assert sorted(moved) == sorted([(carol.id, ReadState(room.id, 6, 0, 0, False)),
                                    (dave.id, ReadState(room.id, 5, 1, 0, False))])  # bob was at 4 already


async def test_mark_reads_of_more_entries_than_one_statement_holds(store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from services.store import sql_reads

    monkeypatch.setattr(sql_reads, 'BATCH_ROWS', 2)  # three statements for five entries
    alice, bob, room = await _people(store)
    others = [await store.create_user(f'user{i}', 'h') for i in range(4)]
    async with store.unit() as uow:
        for user in others:
            await uow.add_member(room.id, user.id)
    await _post(store, room, alice, 3)
    moved = await store.mark_reads([(room.id, u.id, 2 + i % 2) for i, u in enumerate([bob, *others])])
    assert sorted((user_id, s.last_read_seq) for user_id, s in moved) == sorted(
        (u.id, 2 + i % 2) for i, u in enumerate([bob, *others]))
