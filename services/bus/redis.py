"""The Redis bus: events cross instances over Redis pub/sub, so several processes serve one chat.

As python-socketio's pub/sub manager does: an event goes to this instance's handlers directly and is
published on one Redis channel with this instance's origin id; every instance listens on the channel
and drops what it published itself, so each instance's handlers see each event once (no echo).

Redis pub/sub delivers at most once: what is published while an instance's link is down never reaches
it. That is fine here because what matters is in the database: after a reconnect the bus calls the
`on_reconnect` callbacks, which tell open pages to catch up by sequence number.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass

from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from .. import wire
from ..events import Event
from ..redis_client import describe, redis_client
from .base import Handler, Resync

log = logging.getLogger(__name__)

BATCH = 500  # events sent to Redis in one round trip at most


@dataclass
class BusStats:
    published: int = 0  # events sent to Redis
    received: int = 0  # events from other instances handed to this one's handlers
    dropped: int = 0  # events other instances never got from us (Redis was down, or the outbox full)
    undecodable: int = 0  # messages on the channel that were not a known event
    reconnects: int = 0


class RedisBus:
    """The Bus port over Redis pub/sub; `origin` tells this instance's messages from the others'."""

    def __init__(self, url: str, prefix: str = 'chat:', *, origin: str | None = None,
                 retry_min: float = 0.2, retry_max: float = 5.0, max_pending: int = 10_000) -> None:
        self.origin = origin or uuid.uuid4().hex
        self.channel = f'{prefix}events'
        self.stats = BusStats()
        self.subscribed = asyncio.Event()  # set while the listener is subscribed
        self._pub = redis_client(url)
        self._sub = redis_client(url, retries=0, name=f'{prefix}bus:{self.origin}'.replace(' ', '_'))
        self._retry = (retry_min, retry_max)
        self._handlers: list[Handler] = []
        self._resync: list[Resync] = []
        self._outbox: asyncio.Queue[str] = asyncio.Queue(max_pending)
        self._tasks: list[asyncio.Task[None]] = []
        self._publish_failing = False

    async def start(self) -> None:
        """Check that Redis answers, then listen; returns once subscribed (nothing published after is missed)."""
        try:
            await self._pub.ping()
        except (RedisError, OSError) as e:
            raise RuntimeError(f'event bus: Redis at {describe(self._pub)} does not answer ({e})') from e
        self._tasks = [asyncio.create_task(self._listen(), name='redis-bus-listen'),
                       asyncio.create_task(self._write(), name='redis-bus-write')]
        try:
            await asyncio.wait_for(self.subscribed.wait(), timeout=10)
        except TimeoutError:
            raise RuntimeError(f'event bus: no subscription on Redis at {describe(self._pub)} within 10 s') from None

    async def close(self) -> None:
        """Send what is still queued (briefly), stop listening, forget the subscribers."""
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.join(), timeout=2)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._handlers.clear()
        self._resync.clear()
        await self._pub.aclose()
        await self._sub.aclose()

    async def publish(self, event: Event) -> None:
        """Queue the event for the other instances, then deliver it here; never raises into the publisher."""
        try:
            data = json.dumps({'origin': self.origin, 'event': wire.encode(event)}, separators=(',', ':'))
        except Exception:  # an event without a wire spec: a bug, but the commit behind it stands
            self.stats.dropped += 1
            log.exception('event bus: cannot encode %s for other instances', type(event).__name__)
        else:
            await self._enqueue(data)
        await self._deliver(event)

    async def _enqueue(self, data: str) -> None:
        try:
            self._outbox.put_nowait(data)
            return
        except asyncio.QueueFull:
            pass
        if not self._publish_failing:  # Redis keeps up, a burst outran the writer: wait for room (briefly)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.put(data), timeout=1.0)
                return
        self._dropped(1, 'the outbox is full')

    def subscribe(self, handler: Handler) -> None:
        """Register a handler for every later event, from this instance and the others."""
        self._handlers.append(handler)

    def on_reconnect(self, callback: Resync) -> None:
        """Register a callback awaited after the subscription to Redis came back."""
        self._resync.append(callback)

    async def _deliver(self, event: Event) -> None:
        for handler in list(self._handlers):
            try:
                await handler(event)
            except Exception:
                log.exception('bus handler %r failed on %s', handler, type(event).__name__)

    def _dropped(self, count: int, reason: str) -> None:
        self.stats.dropped += count
        if not self._publish_failing:
            self._publish_failing = True
            log.warning('event bus: could not publish to Redis (%s); other instances catch up by sequence '
                        'number after reconnecting', reason)

    async def _write(self) -> None:
        """One writer keeps this instance's events in publish order and sends bursts in one round trip."""
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < BATCH and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            try:
                async with self._pub.pipeline(transaction=False) as pipe:
                    for data in batch:
                        pipe.publish(self.channel, data)
                    await pipe.execute()
                self.stats.published += len(batch)
                if self._publish_failing:
                    self._publish_failing = False
                    log.warning('event bus: publishing to Redis again (%d event(s) not sent so far)',
                                self.stats.dropped)
            except (RedisError, OSError) as e:
                self._dropped(len(batch), str(e) or type(e).__name__)
            finally:
                for _ in batch:
                    self._outbox.task_done()

    async def _listen(self) -> None:
        """Subscribe, hand over what others publish; on a lost connection retry with backoff, then resync."""
        delay, lost = self._retry[0], False
        while True:
            pubsub = self._sub.pubsub()
            try:
                await self._subscribe(pubsub)
                delay = self._retry[0]
                self.subscribed.set()
                if lost:
                    lost = False
                    self.stats.reconnects += 1
                    log.warning('event bus: reconnected to Redis')
                    await self._run_resync()
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message['type'] == 'message':
                        await self._receive(message['data'])
            except Exception as e:  # RedisError, OSError; anything else is a bug, but must not end listening
                self.subscribed.clear()
                if not isinstance(e, RedisError | OSError):
                    log.exception('event bus: the listener failed')
                if not lost:
                    lost = True
                    log.warning('event bus: lost Redis connection, retrying (%s)', str(e) or type(e).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry[1])
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _subscribe(self, pubsub: PubSub) -> None:
        await pubsub.subscribe(self.channel)
        while True:  # the confirmation: from here on, every message on the channel reaches us
            message = await pubsub.get_message(timeout=1.0)
            if message is not None and message['type'] == 'subscribe':
                return

    async def _run_resync(self) -> None:
        for callback in list(self._resync):
            try:
                await callback()
            except Exception:
                log.exception('event bus: resync callback %r failed', callback)

    async def _receive(self, raw: bytes) -> None:
        try:
            envelope = json.loads(raw)
            if not isinstance(envelope, dict):
                raise wire.WireError('not an object')
            if envelope.get('origin') == self.origin:
                return  # our own event: delivered here when it was published
            event = wire.decode(envelope.get('event'))
        except ValueError as e:  # JSONDecodeError and WireError are ValueErrors
            self.stats.undecodable += 1
            log.warning('event bus: dropped a message that is not a known event (%s)', e)
            return
        self.stats.received += 1
        await self._deliver(event)
