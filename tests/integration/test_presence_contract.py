"""One contract, two presence trackers: in-process Presence and RedisPresence on the real Redis.

For Redis, two RedisPresence objects with different instance ids on one key prefix stand for two
processes; in-process, every "instance" is the one tracker. Both trackers publish on one shared
in-process bus here, so a transition published twice (once per instance) would show twice.
A fake clock drives time on both, and sweeps and renewals are called by the test, not by timers.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from services.bus.memory import InProcessBus
from services.config import Settings
from services.events import Event, PresenceChanged
from services.presence import Presence, PresenceTracker
from services.presence_redis import RedisPresence

from .redis_helpers import REDIS_URL, eventually, redis_prefix

SETTINGS = Settings(presence_grace=10.0, away_after=300.0)
TTL, RENEW = 30.0, 10.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # wall-clock seconds, as RedisPresence uses

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class World:
    """The instances of one chat, the clock they share and every presence event they published."""

    make: Callable[[str], Awaitable[PresenceTracker]]
    clock: FakeClock
    kind: str
    events: list[Event] = field(default_factory=list)

    def transitions(self) -> list[tuple[int, str]]:
        return [(e.user_id, e.status) for e in self.events if isinstance(e, PresenceChanged)]


@pytest.fixture(params=['memory', 'redis'])
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    bus, clock = InProcessBus(), FakeClock()
    if request.param == 'memory':
        shared = Presence(bus, SETTINGS, clock)

        async def same(_name: str) -> PresenceTracker:
            return shared

        w = World(same, clock, 'memory')
        bus.subscribe(lambda e: _record(w, e))
        yield w
        return
    async with redis_prefix() as (_admin, prefix):
        opened: list[RedisPresence] = []

        async def make(name: str) -> PresenceTracker:
            tracker = RedisPresence(REDIS_URL, bus, SETTINGS, prefix, instance=name, clock=clock, ttl=TTL,
                                    renew_every=RENEW)
            opened.append(tracker)
            return tracker

        w = World(make, clock, 'redis')
        bus.subscribe(lambda e: _record(w, e))
        yield w
        for tracker in opened:
            await tracker.close()


async def _record(world: World, event: Event) -> None:
    world.events.append(event)


async def sweep_all(*trackers: PresenceTracker) -> None:
    await asyncio.gather(*(t.sweep() for t in trackers))


async def test_online_while_connected_offline_after_the_grace(world: World) -> None:
    a, b = await world.make('a'), await world.make('b')
    assert await b.status(1) == 'offline'
    await a.connect(1, 'tab')
    assert await b.status(1) == 'online'  # seen from the other instance too
    await a.disconnect(1, 'tab')
    world.clock.advance(9.9)
    await sweep_all(a, b)
    assert await b.status(1) == 'online'  # still within the grace period
    world.clock.advance(0.2)
    await sweep_all(a, b)
    assert await a.status(1) == 'offline' and await b.status(1) == 'offline'
    assert world.transitions() == [(1, 'online'), (1, 'offline')]


async def test_a_reload_landing_on_another_instance_does_not_flicker(world: World) -> None:
    a, b = await world.make('a'), await world.make('b')
    await a.connect(1, 'old-page')
    await a.disconnect(1, 'old-page')
    world.clock.advance(3)
    await sweep_all(a, b)
    await b.connect(1, 'new-page')
    for _ in range(12):  # two minutes, with renewals as the instances make them
        world.clock.advance(RENEW)
        if isinstance(b, RedisPresence):
            await b.renew()
        await sweep_all(a, b)
    assert await a.status(1) == 'online'
    assert world.transitions() == [(1, 'online')]


async def test_closing_one_of_two_pages_on_two_instances_keeps_online(world: World) -> None:
    a, b = await world.make('a'), await world.make('b')
    await a.connect(1, 'x')
    await b.connect(1, 'y')
    await a.disconnect(1, 'x')
    await a.disconnect(1, 'x')  # repeated disconnects are harmless
    await b.disconnect(1, 'x')  # and so is one from an instance that never had the page
    world.clock.advance(RENEW)
    await sweep_all(a, b)
    assert await a.status(1) == 'online'
    assert world.transitions() == [(1, 'online')]


async def test_idle_becomes_away_once_and_activity_anywhere_brings_back(world: World) -> None:
    a, b = await world.make('a'), await world.make('b')
    await a.connect(1, 'x')
    await b.connect(1, 'y')
    for _ in range(29):
        world.clock.advance(RENEW)
        for t in {a, b}:
            if isinstance(t, RedisPresence):
                await t.renew()
        await sweep_all(a, b)
    assert await a.status(1) == 'online'  # 290 s idle
    world.clock.advance(RENEW + 1)
    await sweep_all(a, b)
    await sweep_all(a, b)
    assert await a.status(1) == 'away' and await b.status(1) == 'away'
    await b.activity(1)
    await a.activity(1)
    assert await a.status(1) == 'online'
    assert world.transitions() == [(1, 'online'), (1, 'away'), (1, 'online')]


async def test_racing_instances_publish_each_transition_once(world: World) -> None:
    a, b = await world.make('a'), await world.make('b')
    await asyncio.gather(a.connect(1, 'x'), b.connect(1, 'y'), a.connect(2, 'z'))
    await asyncio.gather(a.disconnect(1, 'x'), b.disconnect(1, 'y'), a.disconnect(2, 'z'))
    world.clock.advance(SETTINGS.presence_grace + 1)
    await asyncio.gather(*(t.sweep() for t in (a, b, a, b)))
    assert await a.statuses([1, 2, 3]) == {1: 'offline', 2: 'offline', 3: 'offline'}
    assert sorted(world.transitions()) == [(1, 'offline'), (1, 'online'), (2, 'offline'), (2, 'online')]


async def test_statuses_of_many_and_activity_without_a_page(world: World) -> None:
    a, b = await world.make('a'), await world.make('b')
    await a.connect(1, 'x')
    await b.connect(2, 'y')
    await a.activity(7)
    assert await b.statuses([1, 2, 7]) == {1: 'online', 2: 'online', 7: 'offline'}
    assert await a.statuses([]) == {}
    assert world.transitions() == [(1, 'online'), (2, 'online')]


async def test_the_users_of_a_killed_instance_go_offline_within_ttl_and_grace(world: World) -> None:
    if world.kind == 'memory':
        pytest.skip('one process: there is no other instance to survive it')
    a, b = await world.make('a'), await world.make('b')
    await a.connect(1, 'only-on-a')
    await a.connect(2, 'on-a')
    await b.connect(2, 'on-b')
    assert isinstance(b, RedisPresence)
    # a dies here: it renews nothing any more; b goes on renewing and sweeping
    steps = int((TTL + SETTINGS.presence_grace) // RENEW)
    for _ in range(steps - 1):
        world.clock.advance(RENEW)
        await b.renew()
        await b.sweep()
    assert await b.statuses([1, 2]) == {1: 'online', 2: 'online'}
    world.clock.advance(RENEW + 1)
    await b.renew()
    await b.sweep()
    assert await b.statuses([1, 2]) == {1: 'offline', 2: 'online'}
    assert world.transitions() == [(1, 'online'), (2, 'online'), (1, 'offline')]


async def test_the_background_loop_renews_and_sweeps() -> None:
    """Real time and timers: an instance that stops renewing loses its users; one that runs keeps its own."""
    async with redis_prefix() as (_admin, prefix):
        bus, events = InProcessBus(), []

        async def record(event: Event) -> None:
            events.append(event)

        bus.subscribe(record)
        quick = Settings(presence_grace=0.2, away_after=300.0)
        dead = RedisPresence(REDIS_URL, bus, quick, prefix, instance='dead', ttl=0.6, renew_every=0.2)
        live = RedisPresence(REDIS_URL, bus, quick, prefix, instance='live', ttl=0.6, renew_every=0.2,
                             sweep_interval=0.05)
        await live.start()  # `dead` is never started: it never renews, as if killed
        try:
            await dead.connect(1, 'x')
            await live.connect(2, 'y')
            started = time.monotonic()
            await eventually(lambda: PresenceChanged(1, 'offline') in events, what='user 1 going offline')
            assert time.monotonic() - started >= 0.6  # not before the connection ran out
            assert await live.status(2) == 'online'  # renewed several times meanwhile
            assert events == [PresenceChanged(1, 'online'), PresenceChanged(2, 'online'),
                              PresenceChanged(1, 'offline')]
        finally:
            await live.close()
            await dead.close()


async def test_an_instance_shut_down_cleanly_lets_its_users_go_after_the_grace_not_the_ttl(world: World) -> None:
    if world.kind == 'memory':
        pytest.skip('one process: its shutdown ends presence altogether')
    a, b = await world.make('a'), await world.make('b')
    await a.connect(1, 'x')
    await a.close()
    world.clock.advance(SETTINGS.presence_grace + 1)  # well before the ttl
    await b.sweep()
    assert await b.status(1) == 'offline'
    assert world.transitions() == [(1, 'online'), (1, 'offline')]


async def test_renewal_puts_the_pages_back_when_redis_lost_them() -> None:
    """Redis restarted empty (simulated by deleting this test's keys): the next renewal restores everyone."""
    async with redis_prefix() as (admin, prefix):
        bus, clock, events = InProcessBus(), FakeClock(), []

        async def record(event: Event) -> None:
            events.append(event)

        bus.subscribe(record)
        a = RedisPresence(REDIS_URL, bus, SETTINGS, prefix, instance='a', clock=clock, batch=2)  # 3 scripts for 5
        try:
            for user in range(1, 6):
                await a.connect(user, f'page-{user}')
            keys = [key async for key in admin.scan_iter(match=f'{prefix}*')]
            await admin.delete(*keys)
            assert await a.statuses(range(1, 6)) == dict.fromkeys(range(1, 6), 'offline')
            clock.advance(RENEW)
            await a.renew()
            assert await a.statuses(range(1, 6)) == dict.fromkeys(range(1, 6), 'online')
            assert [e for e in events if isinstance(e, PresenceChanged)] == \
                [PresenceChanged(user, 'online') for user in range(1, 6)] * 2
        finally:
            await a.close()
