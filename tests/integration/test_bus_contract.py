"""One contract, two buses: what the services and the bridge rely on, on InProcessBus and on RedisBus.

For Redis, two RedisBus objects with different origin ids on one channel prefix stand for two processes;
in-process, every "instance" is the one bus (one process serves everybody).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from services.bus.base import Bus
from services.bus.memory import InProcessBus
from services.bus.redis import RedisBus
from services.events import Event, MessagePosted, PresenceChanged, TypingChanged
from services.models import Message

from .redis_helpers import REDIS_URL, TcpProxy, eventually, kill_clients, redis_prefix

MakeBus = Callable[[str], Awaitable[Bus]]


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)


@pytest.fixture(params=['memory', 'redis'])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[MakeBus]:
    """`await make_bus(name)`: the bus of the instance called `name`, started (and closed afterwards)."""
    if request.param == 'memory':
        bus = InProcessBus()
        await bus.start()

        async def same(_name: str) -> Bus:
            return bus

        yield same
        await bus.close()
        return
    async with redis_prefix() as (_admin, prefix):
        opened: list[RedisBus] = []

        async def make(name: str) -> Bus:
            redis_bus = RedisBus(REDIS_URL, prefix, origin=name)
            await redis_bus.start()
            opened.append(redis_bus)
            return redis_bus

        yield make
        for redis_bus in opened:
            await redis_bus.close()


def message(room_id: int, seq: int) -> MessagePosted:
    return MessagePosted(Message(seq, room_id, seq, 1, 'alice', f'm{seq}', f'<p>m{seq}</p>', f'c{seq}',
                                 datetime(2026, 1, 1, tzinfo=UTC)))


async def publish_all(bus: Bus, events: list[Event]) -> None:
    for event in events:
        await bus.publish(event)


async def test_every_event_reaches_each_instance_once_in_publish_order(make_bus: MakeBus) -> None:
    a, b = await make_bus('a'), await make_bus('b')
    on_a, on_b = Recorder(), Recorder()
    a.subscribe(on_a)
    b.subscribe(on_b)
    from_a: list[Event] = [message(1, seq) for seq in range(1, 101)]
    from_b: list[Event] = [TypingChanged(2, user, 'bob', user % 2 == 0) for user in range(100)]
    await asyncio.gather(publish_all(a, from_a), publish_all(b, from_b))
    # A barrier from each publisher: once both arrived everywhere, so did everything published before them
    # (order per publisher), duplicates and echoes included.
    ends = [PresenceChanged(-1, 'offline'), PresenceChanged(-2, 'offline')]
    await a.publish(ends[0])
    await b.publish(ends[1])
    for name, got in (('a', on_a), ('b', on_b)):
        def barriers_in(got: Recorder = got) -> bool:
            return all(end in got.events for end in ends)

        await eventually(barriers_in, what=f'the barriers on {name}')
        assert [e for e in got.events if isinstance(e, MessagePosted)] == from_a
        assert [e for e in got.events if isinstance(e, TypingChanged)] == from_b
        assert len(got.events) == len(from_a) + len(from_b) + 2, 'an event arrived twice (echo?)'


async def test_a_failing_handler_is_contained(make_bus: MakeBus, caplog: pytest.LogCaptureFixture) -> None:
    a, b = await make_bus('a'), await make_bus('b')

    async def broken(event: Event) -> None:
        raise RuntimeError('boom')

    after = Recorder()
    b.subscribe(broken)
    b.subscribe(after)
    with caplog.at_level(logging.ERROR):
        await a.publish(PresenceChanged(1, 'online'))  # does not raise, here or there
        await a.publish(PresenceChanged(1, 'away'))
        await eventually(lambda: len(after.events) == 2, what='delivery after a failing handler')
    assert after.events == [PresenceChanged(1, 'online'), PresenceChanged(1, 'away')]
    assert 'boom' in caplog.text


async def test_a_killed_subscriber_reconnects_logs_and_resyncs(caplog: pytest.LogCaptureFixture) -> None:
    async with redis_prefix() as (admin, prefix):
        a, b = RedisBus(REDIS_URL, prefix, origin='a'), RedisBus(REDIS_URL, prefix, origin='b', retry_min=0.05)
        await a.start()
        await b.start()
        resyncs: list[int] = []

        async def resync() -> None:
            resyncs.append(b.stats.reconnects)

        b.on_reconnect(resync)
        got = Recorder()
        b.subscribe(got)
        try:
            with caplog.at_level(logging.WARNING, logger='services.bus.redis'):
                assert await kill_clients(admin, f'{prefix}bus:b') == 1
                await eventually(lambda: resyncs == [1], what='the resync callback')
            lines = [r.getMessage() for r in caplog.records if r.name == 'services.bus.redis']
            assert lines[0].startswith('event bus: lost Redis connection, retrying')
            assert lines[-1] == 'event bus: reconnected to Redis'
            await a.publish(PresenceChanged(5, 'online'))
            await eventually(lambda: got.events == [PresenceChanged(5, 'online')], what='delivery after reconnect')
        finally:
            await a.close()
            await b.close()


async def test_publishing_while_redis_is_away_neither_raises_nor_stops_local_delivery(
        caplog: pytest.LogCaptureFixture) -> None:
    async with redis_prefix() as (_admin, prefix):
        proxy = TcpProxy()
        await proxy.start()
        a = RedisBus(proxy.url, prefix, origin='a', retry_min=0.05, retry_max=0.2)  # reaches Redis via the proxy
        b = RedisBus(REDIS_URL, prefix, origin='b')
        await a.start()
        await b.start()
        resyncs: list[str] = []

        async def resync() -> None:
            resyncs.append('a')

        a.on_reconnect(resync)
        here, there = Recorder(), Recorder()
        a.subscribe(here)
        b.subscribe(there)
        try:
            with caplog.at_level(logging.WARNING, logger='services.bus.redis'):
                await proxy.cut()
                await eventually(lambda: not a.subscribed.is_set(), what='noticing the outage')
                lost = PresenceChanged(1, 'online')
                await a.publish(lost)  # the commit behind it stands: no exception
                assert here.events == [lost]  # this instance's pages still get it
                await eventually(lambda: a.stats.dropped == 1, what='counting the event other instances missed')
                await proxy.restore()
                await eventually(lambda: resyncs == ['a'], what='reconnecting and resyncing')
                after = PresenceChanged(1, 'away')
                await a.publish(after)
                await eventually(lambda: after in there.events, what='delivery to the other instance again')
            assert there.events == [after]  # at most once: the other instance catches up from the database
            text = caplog.text
            assert 'event bus: lost Redis connection, retrying' in text
            assert 'event bus: could not publish to Redis' in text
            assert 'event bus: reconnected to Redis' in text
            assert 'event bus: publishing to Redis again (1 event(s) not sent so far)' in text
        finally:
            await a.close()
            await b.close()
            await proxy.cut()


async def test_start_says_clearly_when_redis_does_not_answer() -> None:
    proxy = TcpProxy()
    await proxy.start()
    await proxy.cut()  # a port where nothing listens
    bus = RedisBus(proxy.url, 'unused:')
    with pytest.raises(RuntimeError, match=r'event bus: Redis at 127\.0\.0\.1:\d+ does not answer'):
        await bus.start()
    await bus.close()


async def test_an_undecodable_message_is_dropped_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    async with redis_prefix() as (admin, prefix):
        b = RedisBus(REDIS_URL, prefix, origin='b')
        await b.start()
        got = Recorder()
        b.subscribe(got)
        try:
            await admin.publish(f'{prefix}events', '{"origin": "x", "event": {"v": 9, "type": "presence.changed"}}')
            await admin.publish(f'{prefix}events', 'not json')
            await admin.publish(f'{prefix}events', '{"origin": "x", "event": {"v": 1, "type": "presence.changed", '
                                                   '"user_id": 3, "status": "away"}}')
            await eventually(lambda: got.events == [PresenceChanged(3, 'away')], what='the valid event')
            assert b.stats.undecodable == 2
            assert 'presence.changed: unknown version 9' in caplog.text
        finally:
            await b.close()


async def test_a_burst_larger_than_the_outbox_waits_for_room_instead_of_dropping() -> None:
    async with redis_prefix() as (_admin, prefix):
        a = RedisBus(REDIS_URL, prefix, origin='a', max_pending=5)
        b = RedisBus(REDIS_URL, prefix, origin='b')
        await a.start()
        await b.start()
        got = Recorder()
        b.subscribe(got)
        burst: list[Event] = [PresenceChanged(user, 'online') for user in range(50)]
        try:
            await publish_all(a, burst)
            await eventually(lambda: len(got.events) >= len(burst), what='the whole burst arriving')
            assert got.events == burst and a.stats.dropped == 0
        finally:
            await a.close()
            await b.close()
