"""Presence across instances, in Redis: online while any page on any instance is open.

Each instance records its own connections in Redis with an expiry (`ttl`) and renews them every
`renew_every` seconds, so when an instance dies its users' connections run out and they go offline
within `ttl` + grace. A reload that lands on another instance within the grace period changes nothing.
Every decision (a transition to online, away or offline) is taken inside one Lua script that also
records it, so however many instances sweep at the same moment, each transition is published once,
by the instance whose script made it.

Keys under the prefix (`chat:` by default):
  presence:conns:<user>  sorted set: "<instance>/<connection>" -> when it expires unless renewed
  presence:status        hash: user -> online | away (absent: offline)
  presence:deadline      sorted set: user -> when to look at the user again (offline after the grace)
  presence:active        sorted set: user -> last activity, for users online and not yet away
Times are wall-clock seconds from each instance (time.time): instances are expected to run NTP.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Any, cast

from redis.exceptions import RedisError

from .bus.base import Bus
from .clock import Clock
from .config import Settings
from .events import PresenceChanged
from .models import PresenceStatus
from .presence_scripts import ACTIVITY, CONNECT, DISCONNECT, RENEW, SWEEP
from .redis_client import describe, redis_client

log = logging.getLogger(__name__)

def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisPresence:
    """The PresenceTracker port in Redis, shared by every instance on the same prefix."""

    def __init__(self, url: str, bus: Bus, settings: Settings, prefix: str = 'chat:', *, instance: str,
                 clock: Clock = time.time, ttl: float = 30.0, renew_every: float = 10.0,
                 sweep_interval: float = 1.0, batch: int = 1000) -> None:
        if not 0 < renew_every < ttl:
            raise ValueError('renew_every must be shorter than ttl, or connections expire between renewals')
        self.instance = instance
        self._bus = bus
        self._grace = settings.presence_grace
        self._away_after = settings.away_after
        self._clock = clock
        self._ttl, self._renew_every, self._interval, self._batch = ttl, renew_every, sweep_interval, batch
        self._keys = [f'{prefix}presence:status', f'{prefix}presence:deadline', f'{prefix}presence:active']
        self._conns = f'{prefix}presence:conns:'
        self._redis = redis_client(url)
        self._connect = self._redis.register_script(CONNECT)
        self._disconnect = self._redis.register_script(DISCONNECT)
        self._activity = self._redis.register_script(ACTIVITY)
        self._renew = self._redis.register_script(RENEW)
        self._sweep = self._redis.register_script(SWEEP)
        self._own: dict[int, set[str]] = {}  # this instance's open pages, renewed in Redis
        self._lock = asyncio.Lock()  # one Redis change at a time from here: a renewal never revives a closed page
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    async def start(self) -> None:
        """Start renewing this instance's connections and sweeping."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name='presence-redis')

    async def close(self) -> None:
        """Stop; this instance's pages count as closed (offline after the grace, not after the ttl)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for user_id, conns in list(self._own.items()):
            for conn_id in list(conns):
                if self._failing:
                    break  # Redis is away: the connections run out by themselves after the ttl
                await self.disconnect(user_id, conn_id)
        self._own.clear()
        await self._redis.aclose()

    async def connect(self, user_id: int, conn_id: str) -> None:
        """A page of `user_id` connected on this instance: online (nothing is published when they already were)."""
        self._own.setdefault(user_id, set()).add(conn_id)
        async with self._lock:
            status = await self._call(self._connect, [*self._keys, self._key(user_id)],
                                      [user_id, self._member(conn_id), self._clock(), self._ttl, self._grace])
            if status:
                await self._publish([(user_id, 'online')])

    async def disconnect(self, user_id: int, conn_id: str) -> None:
        """A page closed; after the user's last one on any instance, offline once the grace period passes."""
        conns = self._own.get(user_id)
        if conns is None or conn_id not in conns:
            return
        conns.discard(conn_id)
        if not conns:
            del self._own[user_id]
        async with self._lock:
            last = await self._call(self._disconnect, [self._keys[1], self._key(user_id)],
                                    [user_id, self._member(conn_id), self._clock(), self._grace])
        if last and self._grace <= 0:
            await self.sweep()

    async def activity(self, user_id: int) -> None:
        """The user did something: away becomes online again (nothing for a user with no open page)."""
        async with self._lock:
            status = await self._call(self._activity, [self._keys[0], self._keys[2], self._key(user_id)],
                                      [user_id, self._clock()])
            if status:
                await self._publish([(user_id, 'online')])

    async def renew(self) -> None:
        """Push back the expiry of this instance's connections (and recreate them if Redis lost them)."""
        async with self._lock:
            pairs: list[str | int] = []
            for user_id, conns in self._own.items():
                for conn_id in conns:
                    pairs += [user_id, self._member(conn_id)]
            step = 2 * self._batch  # bounded scripts: Redis serves others between them
            for start in range(0, len(pairs), step):
                revived = await self._call(self._renew, self._keys, [self._conns, self._clock(), self._ttl,
                                                                     self._grace, *pairs[start:start + step]])
                await self._publish([(int(_text(user)), 'online') for user in revived or []])

    async def sweep(self) -> None:
        """Apply what time decided, for every instance: ended grace periods, expired connections, away."""
        async with self._lock:
            out = await self._call(self._sweep, self._keys, [self._conns, self._clock(), self._grace,
                                                             self._away_after, self._batch])
            flat = [_text(item) for item in out or []]
            await self._publish([(int(user), cast(PresenceStatus, status))
                                 for user, status in zip(flat[::2], flat[1::2], strict=True)])

    async def status(self, user_id: int) -> PresenceStatus:
        """'online', 'away' or 'offline'."""
        return (await self.statuses([user_id]))[user_id]

    async def statuses(self, user_ids: Iterable[int]) -> dict[int, PresenceStatus]:
        """The status of each user, in one round trip ('offline' for all while Redis does not answer)."""
        ids = list(user_ids)
        if not ids:
            return {}
        try:
            values = await self._redis.hmget(self._keys[0], [str(i) for i in ids])
        except (RedisError, OSError) as e:
            self._failed(e)
            values = [None] * len(ids)
        else:
            self._recovered()
        return {i: cast(PresenceStatus, _text(v)) if v else 'offline' for i, v in zip(ids, values, strict=True)}

    def _key(self, user_id: int) -> str:
        return f'{self._conns}{user_id}'

    def _member(self, conn_id: str) -> str:
        return f'{self.instance}/{conn_id}'

    async def _call(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        """Run a script; a Redis outage is logged once and ends the call (the periodic renewal repairs it)."""
        try:
            result = await script(keys=keys, args=args)
        except (RedisError, OSError) as e:
            self._failed(e)
            return None
        self._recovered()
        return result

    async def _publish(self, transitions: list[tuple[int, PresenceStatus]]) -> None:
        # under the lock: this instance publishes its transitions in the order Redis decided them
        for user_id, status in transitions:
            await self._bus.publish(PresenceChanged(user_id, status))

    def _failed(self, error: BaseException) -> None:
        if not self._failing:
            self._failing = True
            log.warning('presence: Redis at %s does not answer (%s); statuses may be stale until it is back',
                        describe(self._redis), str(error) or type(error).__name__)

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.warning('presence: Redis answers again')

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_renewal = loop.time() + self._renew_every
        while True:
            await asyncio.sleep(self._interval)
            try:
                if loop.time() >= next_renewal:
                    next_renewal = loop.time() + self._renew_every
                    await self.renew()
                was_failing = self._failing
                await self.sweep()
                if was_failing and not self._failing:
                    await self.renew()  # Redis came back, maybe empty: put our pages back at once
            except Exception:  # a failed round must not end presence for the life of the process
                log.exception('presence: periodic renewal or sweep failed')
