import pytest

from services.bootstrap import Services
from services.errors import Forbidden
from services.events import TypingChanged
from services.models import Room, User

from .conftest import FakeClock, Recorder


@pytest.fixture
async def room(services: Services, alice: User) -> Room:
    return await services.rooms.create_room(alice, 'dev')


async def test_started_then_stopped(services: Services, alice: User, room: Room, recorder: Recorder) -> None:
    await services.typing.started(alice, room.id)
    await services.typing.stopped(alice, room.id)
    assert recorder.events == [
        TypingChanged(room.id, alice.id, 'alice', True), TypingChanged(room.id, alice.id, 'alice', False),
    ]


async def test_a_flood_of_started_is_published_once_a_second(
        services: Services, alice: User, room: Room, recorder: Recorder, clock: FakeClock) -> None:
    for _ in range(50):
        await services.typing.started(alice, room.id)
        clock.advance(0.01)
    assert len(recorder.events) == 1
    clock.advance(1.0)
    await services.typing.started(alice, room.id)
    assert len(recorder.events) == 2


async def test_stopped_without_started_or_after_expiry_is_silent(
        services: Services, alice: User, room: Room, recorder: Recorder, clock: FakeClock) -> None:
    await services.typing.stopped(alice, room.id)
    await services.typing.started(alice, room.id)
    clock.advance(services.settings.typing_ttl + 0.1)
    await services.typing.stopped(alice, room.id)
    assert [e.typing for e in recorder.of(TypingChanged)] == [True]  # type: ignore[union-attr]


async def test_non_member_cannot_type(services: Services, bob: User, room: Room, recorder: Recorder) -> None:
    recorder.clear()
    with pytest.raises(Forbidden):
        await services.typing.started(bob, room.id)
    assert recorder.events == []


async def test_typing_is_never_stored(services: Services, alice: User, room: Room) -> None:
    await services.typing.started(alice, room.id)
    assert await services.messages.latest(alice, room.id) == []


async def test_a_member_typing_on_reads_the_room_once_until_a_membership_change(
        services: Services, alice: User, bob: User, room: Room, recorder: Recorder, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await services.membership.invite(alice, room.id, 'bob')
    reads: list[int] = []
    standing = services.store.standing

    async def counted(room_id: int, user_id: int):  # type: ignore[no-untyped-def]
        reads.append(user_id)
        return await standing(room_id, user_id)
    monkeypatch.setattr(services.store, 'standing', counted)
    for _ in range(5):  # the composer says "typing" every 2 s while bob types
        await services.typing.started(bob, room.id)
        clock.advance(2.0)
    assert reads == [bob.id]
    await services.membership.remove(alice, room.id, 'bob')
    recorder.clear()
    with pytest.raises(Forbidden):  # at once, not when the reused check runs out
        await services.typing.started(bob, room.id)
    assert recorder.of(TypingChanged) == []
