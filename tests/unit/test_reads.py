"""Read positions, unread counts, receipts and mute through the services (MemoryStore): what gets published, who
may ask, and that refusals change nothing."""
from dataclasses import replace

import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, RateLimited, ValidationError
from services.events import MuteChanged, ReadMoved
from services.models import ReadState, Receipt, Room, User

from .conftest import Recorder


@pytest.fixture
async def carol(services: Services) -> User:
    return await services.accounts.sign_up('carol', 'password-c')


@pytest.fixture
async def root(services: Services) -> User:
    user = await services.store.get_user_by_name('root')
    assert user is not None and user.is_admin
    return user


@pytest.fixture
async def room(services: Services, alice: User, bob: User) -> Room:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    for i in range(4):
        await services.messages.post(alice, room.id, f'hello {i}', f'c{i}')
    return room


async def test_mark_read_moves_forward_and_publishes_read_moved(
        services: Services, alice: User, bob: User, room: Room, recorder: Recorder) -> None:
    last = (await services.messages.latest(bob, room.id))[-1].seq
    # bob joined before alice's 4 messages (his position: the seq before his join notice; notices are never unread)
    assert await services.reads.state(bob, room.id) == ReadState(room.id, last - 5, 4, 0, False)
    recorder.clear()
    state = await services.reads.mark_read(bob, room.id, last - 1)
    assert state == ReadState(room.id, last - 1, 1, 0, False)
    assert recorder.events == [ReadMoved(room.id, bob.id, 'bob', last - 1, 1, 0, True, last)]
    assert recorder.events[0].topic == f'user:{bob.id}'
    recorder.clear()
    assert await services.reads.mark_read(bob, room.id, last - 2) is None  # backwards: nothing, no event
    assert await services.reads.mark_read(bob, room.id, 10_000) == ReadState(room.id, last, 0, 0, False)  # clamped
    assert [e.seq for e in recorder.of(ReadMoved)] == [last]
    with pytest.raises(ValidationError):
        await services.reads.mark_read(bob, room.id, -1)
    with pytest.raises(ValidationError):
        await services.reads.mark_read(bob, room.id, True)  # type: ignore[arg-type]


async def test_read_moved_says_receipt_only_for_those_who_send_them(
        services: Services, alice: User, bob: User, room: Room, recorder: Recorder) -> None:
    await services.reads.set_send_receipts(bob, False)
    assert not await services.reads.sends_receipts(bob)
    recorder.clear()
    await services.reads.mark_read(bob, room.id, 2)
    moved = [replace(e, last_seq=0) for e in recorder.of(ReadMoved)]
    assert moved == [ReadMoved(room.id, bob.id, 'bob', 2, 3, 0, False)]
    with pytest.raises(ValidationError):
        await services.reads.set_send_receipts(bob, 'yes')  # type: ignore[arg-type]


async def test_outsiders_and_the_administrator_move_nothing(
        services: Services, alice: User, carol: User, root: User, room: Room, recorder: Recorder) -> None:
    secret = await services.rooms.create_room(alice, 'secret', private=True)
    recorder.clear()
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        await services.reads.mark_read(carol, secret.id, 1)  # like a room that does not exist
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        await services.reads.mark_read(carol, 987_654, 1)
    with pytest.raises(Forbidden):
        await services.reads.mark_read(carol, room.id, 1)  # a public room she has not joined
    assert await services.reads.mark_read(root, room.id, 3) is None  # may read it, has no position
    assert await services.reads.state(root, room.id) is None and await services.reads.state(carol, secret.id) is None
    assert await services.reads.state(carol, 987_654) is None
    with pytest.raises(NotFound):
        await services.reads.receipts(carol, secret.id)
    with pytest.raises(NotFound):
        await services.reads.set_muted(carol, secret.id, True)
    with pytest.raises(Forbidden, match='not a member'):
        await services.reads.set_muted(root, room.id, True)
    assert recorder.events == []
    assert await services.store.read_states(root.id) == {}


async def test_summary_and_mark_all_read(services: Services, alice: User, bob: User, carol: User, room: Room,
                                         recorder: Recorder) -> None:
    dm = await services.conversations.open_dm(alice, 'bob')
    await services.messages.post(alice, dm.id, 'psst', 'd1')
    summary = await services.reads.summary(bob)
    general = await services.rooms.default_room(bob)
    assert set(summary) == {general.id, room.id, dm.id}
    assert (summary[room.id].unread, summary[dm.id].unread, summary[general.id].unread) == (4, 1, 0)
    recorder.clear()
    moved = await services.reads.mark_all_read(bob)
    # general too: carol's join notice came after bob's position
    assert {s.room_id for s in moved} == {general.id, room.id, dm.id} and all(s.unread == 0 for s in moved)
    assert {(e.room_id, e.receipt) for e in recorder.of(ReadMoved)} == {(general.id, True), (room.id, True),
                                                                        (dm.id, True)}
    assert await services.reads.mark_all_read(bob) == []


async def test_receipts_for_those_who_send_them(services: Services, alice: User, bob: User, carol: User,
                                                room: Room) -> None:
    await services.reads.mark_read(bob, room.id, 3)
    last = (await services.messages.latest(alice, room.id))[-1].seq
    assert await services.reads.receipts(alice, room.id) == [Receipt(alice.id, 'alice', last),
                                                             Receipt(bob.id, 'bob', 3)]
    await services.reads.set_send_receipts(alice, False)
    assert await services.reads.receipts(alice, room.id) == []  # the viewer sends none: sees none
    assert await services.reads.receipts(bob, room.id) == [Receipt(bob.id, 'bob', 3)]


async def test_no_receipts_in_a_room_of_more_than_fifty(services: Services, alice: User, root: User) -> None:
    room = await services.rooms.create_room(alice, 'big')
    async with services.store.unit() as uow:
        for i in range(49):
            user = await services.store.create_user(f'user{i:02}', 'h')
            await uow.add_member(room.id, user.id)
    await services.messages.post(alice, room.id, 'hi all', 'c')
    assert (await services.rooms.get_room(alice, room.id)).member_count == 50
    assert [r.username for r in await services.reads.receipts(alice, room.id)] == ['alice']
    async with services.store.unit() as uow:
        await uow.add_member(room.id, root.id)
    assert (await services.rooms.get_room(alice, room.id)).member_count == 51
    assert await services.reads.receipts(alice, room.id) == []  # more than 50 members: none


async def test_mute_publishes_when_it_changes(services: Services, alice: User, bob: User, room: Room,
                                              recorder: Recorder) -> None:
    recorder.clear()
    await services.reads.set_muted(bob, room.id, True)
    await services.reads.set_muted(bob, room.id, True)
    assert recorder.events == [MuteChanged(room.id, bob.id, True)]
    assert recorder.events[0].topic == f'user:{bob.id}'
    state = await services.reads.state(bob, room.id)
    assert state is not None and state.muted
    await services.reads.set_muted(bob, room.id, False)
    assert recorder.of(MuteChanged)[-1] == MuteChanged(room.id, bob.id, False)
    with pytest.raises(ValidationError):
        await services.reads.set_muted(bob, room.id, 1)  # type: ignore[arg-type]


async def test_mark_read_has_a_generous_limit(services: Services, alice: User, bob: User, room: Room) -> None:
    for _ in range(30):
        await services.reads.mark_read(bob, room.id, 1)
    with pytest.raises(RateLimited, match='Slow down'):
        await services.reads.mark_read(bob, room.id, 2)


async def test_reports_are_written_together_then_published(
        services: Services, alice: User, bob: User, carol: User, room: Room, recorder: Recorder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from services import reads

    await services.rooms.join(carol, room.id)
    last = (await services.messages.latest(bob, room.id))[-1].seq
    calls: list[list[tuple[int, int, int]]] = []
    original = services.store.mark_reads

    async def counted(entries: list[tuple[int, int, int]]) -> list[tuple[int, ReadState]]:
        calls.append(list(entries))
        return await original(entries)

    monkeypatch.setattr(services.store, 'mark_reads', counted)
    monkeypatch.setattr(reads, 'READ_BATCH', 0.05)
    recorder.clear()
    await services.reads.report(bob, room.id, last - 2)
    await services.reads.report(bob, room.id, last - 1)  # the later report of the same page wins
    await services.reads.report(bob, room.id, last - 3)  # an earlier one does not undo it
    await services.reads.report(carol, room.id, last)
    assert recorder.of(ReadMoved) == [] and calls == []  # nothing written yet
    await asyncio.sleep(0.2)
    assert calls == [[(room.id, bob.id, last - 1), (room.id, carol.id, last)]]  # one transaction for all
    # (last: carol's join notice, which is never unread)
    assert sorted((e.user_id, e.seq, e.unread) for e in recorder.of(ReadMoved)) == [(bob.id, last - 1, 0),
                                                                                   (carol.id, last, 0)]
    with pytest.raises(ValidationError):
        await services.reads.report(bob, room.id, -5)
    await services.reads.report(bob, room.id, last)
    await services.reads.close()  # stopping writes what is pending at once
    assert calls[-1] == [(room.id, bob.id, last)]
