"""Presence: who is online, away or offline, from the live connections of this process.

A user is online while any of their pages is connected. When the last one closes they stay as they were
for `presence_grace` seconds, so a page reload does not flicker to offline. Connected but idle for
`away_after` seconds is away. Events go out only on real transitions. `Presence` keeps this in the
process; `RedisPresence` (services/presence_redis.py) implements the same port across instances.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable
from typing import Protocol

from .bus.base import Bus
from .clock import Clock
from .config import Settings
from .events import PresenceChanged
from .models import PresenceStatus

log = logging.getLogger(__name__)


class PresenceTracker(Protocol):
    """The presence port. Each transition is published once as PresenceChanged, whatever the instance count."""

    async def start(self) -> None:
        """Start the periodic work (grace expiry, away, renewing this instance's connections)."""

    async def close(self) -> None:
        """Stop it; this instance's pages count as closed."""

    async def connect(self, user_id: int, conn_id: str) -> None:
        """A page of `user_id` connected: online (a reload within the grace period publishes nothing)."""

    async def disconnect(self, user_id: int, conn_id: str) -> None:
        """A page closed; after the last one, offline once the grace period passes without a new one."""

    async def activity(self, user_id: int) -> None:
        """The user did something (typed, clicked, sent): away becomes online again."""

    async def sweep(self) -> None:
        """Apply what time has decided: grace periods that ended, users idle long enough to be away."""

    async def status(self, user_id: int) -> PresenceStatus:
        """'online', 'away' or 'offline'."""

    async def statuses(self, user_ids: Iterable[int]) -> dict[int, PresenceStatus]:
        """The status of each user, in one round trip at most."""


class Presence:
    """In-process presence tracker; `sweep()` applies grace expiry and away, and runs every `sweep_interval` s."""

    def __init__(self, bus: Bus, settings: Settings, clock: Clock = time.monotonic,
                 sweep_interval: float = 1.0) -> None:
        self._bus = bus
        self._grace = settings.presence_grace
        self._away_after = settings.away_after
        self._clock = clock
        self._interval = sweep_interval
        self._conns: dict[int, set[str]] = {}
        self._last_active: dict[int, float] = {}
        self._offline_at: dict[int, float] = {}  # user -> when the grace after their last page ends
        self._status: dict[int, PresenceStatus] = {}  # absent means offline
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start the periodic sweep."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name='presence-sweep')

    async def close(self) -> None:
        """Stop the periodic sweep."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def connect(self, user_id: int, conn_id: str) -> None:
        """A page of `user_id` connected: online (a reload within the grace period publishes nothing)."""
        self._conns.setdefault(user_id, set()).add(conn_id)
        self._offline_at.pop(user_id, None)
        self._last_active[user_id] = self._clock()
        await self._set(user_id, 'online')

    async def disconnect(self, user_id: int, conn_id: str) -> None:
        """A page closed; after the last one, offline once the grace period passes without a new one."""
        conns = self._conns.get(user_id)
        if conns is None or conn_id not in conns:
            return
        conns.discard(conn_id)
        if conns:
            return
        del self._conns[user_id]
        self._offline_at[user_id] = self._clock() + self._grace
        if self._grace <= 0:
            await self.sweep()

    async def activity(self, user_id: int) -> None:
        """The user did something (typed, clicked, sent): away becomes online again."""
        if user_id not in self._conns:
            return
        self._last_active[user_id] = self._clock()
        await self._set(user_id, 'online')

    async def sweep(self) -> None:
        """Apply what time has decided: grace periods that ended and users idle long enough to be away."""
        now = self._clock()
        for user_id, deadline in list(self._offline_at.items()):
            if now >= deadline and user_id not in self._conns:
                del self._offline_at[user_id]
                self._last_active.pop(user_id, None)
                await self._set(user_id, 'offline')
        for user_id in list(self._conns):
            idle = now - self._last_active.get(user_id, now)
            if idle >= self._away_after and self._status.get(user_id) == 'online':
                await self._set(user_id, 'away')

    async def status(self, user_id: int) -> PresenceStatus:
        """'online', 'away' or 'offline'."""
        return self._status.get(user_id, 'offline')

    async def statuses(self, user_ids: Iterable[int]) -> dict[int, PresenceStatus]:
        """The status of each user."""
        return {user_id: self._status.get(user_id, 'offline') for user_id in user_ids}

    async def _set(self, user_id: int, status: PresenceStatus) -> None:
        if self._status.get(user_id, 'offline') == status:
            return
        if status == 'offline':
            self._status.pop(user_id, None)
        else:
            self._status[user_id] = status
        await self._bus.publish(PresenceChanged(user_id, status))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.sweep()
            except Exception:  # a failed sweep must not end presence for the life of the process
                log.exception('presence sweep failed')
