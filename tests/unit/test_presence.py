import pytest

from services.bootstrap import Services
from services.events import PresenceChanged
from services.presence import Presence

from .conftest import FakeClock, Recorder


@pytest.fixture
def presence(services: Services) -> Presence:
    assert isinstance(services.presence, Presence)  # the unit tests run without Redis
    return services.presence


def statuses(recorder: Recorder) -> list[tuple[int, str]]:
    return [(e.user_id, e.status) for e in recorder.of(PresenceChanged)]  # type: ignore[union-attr]


async def test_online_while_connected_offline_after_grace(
        presence: Presence, recorder: Recorder, clock: FakeClock) -> None:
    assert await presence.status(1) == 'offline'
    await presence.connect(1, 'tab-a')
    assert await presence.status(1) == 'online'
    await presence.disconnect(1, 'tab-a')
    clock.advance(9.9)
    await presence.sweep()
    assert await presence.status(1) == 'online'  # still inside the grace period
    clock.advance(0.2)
    await presence.sweep()
    assert await presence.status(1) == 'offline'
    assert statuses(recorder) == [(1, 'online'), (1, 'offline')]


async def test_a_reload_does_not_flicker(presence: Presence, recorder: Recorder, clock: FakeClock) -> None:
    await presence.connect(1, 'old-page')
    await presence.disconnect(1, 'old-page')
    clock.advance(2)
    await presence.connect(1, 'new-page')
    clock.advance(60)
    await presence.sweep()
    assert await presence.status(1) == 'online'
    assert statuses(recorder) == [(1, 'online')]


async def test_two_tabs_closing_one_keeps_online(presence: Presence, recorder: Recorder, clock: FakeClock) -> None:
    await presence.connect(1, 'a')
    await presence.connect(1, 'b')
    await presence.disconnect(1, 'a')
    await presence.disconnect(1, 'a')  # repeated disconnects are harmless
    clock.advance(60)
    await presence.sweep()
    assert await presence.status(1) == 'online'
    assert statuses(recorder) == [(1, 'online')]


async def test_idle_becomes_away_and_activity_brings_back(
        presence: Presence, recorder: Recorder, clock: FakeClock) -> None:
    await presence.connect(1, 'a')
    clock.advance(299)
    await presence.sweep()
    assert await presence.status(1) == 'online'
    clock.advance(2)
    await presence.sweep()
    await presence.sweep()
    assert await presence.status(1) == 'away'
    await presence.activity(1)
    await presence.activity(1)
    assert await presence.status(1) == 'online'
    assert statuses(recorder) == [(1, 'online'), (1, 'away'), (1, 'online')]


async def test_statuses_of_many(presence: Presence) -> None:
    await presence.connect(1, 'a')
    await presence.connect(2, 'b')
    assert await presence.statuses([1, 2, 3]) == {1: 'online', 2: 'online', 3: 'offline'}


async def test_activity_of_a_disconnected_user_does_not_make_them_online(presence: Presence) -> None:
    await presence.activity(7)
    assert await presence.status(7) == 'offline'


async def test_periodic_sweep_runs_in_the_background(services: Services, clock: FakeClock) -> None:
    import asyncio

    from services.config import Settings
    fast = Presence(services.bus, Settings(presence_grace=0.0), clock, sweep_interval=0.01)
    await fast.start()
    await fast.connect(1, 'a')
    await fast.disconnect(1, 'a')
    assert await fast.status(1) == 'offline'  # no grace: immediate
    await fast.connect(2, 'b')
    clock.advance(1000)
    await asyncio.sleep(0.05)
    assert await fast.status(2) == 'away'
    await fast.close()
