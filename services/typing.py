"""Typing indicators: ephemeral, bus only, never stored."""
from __future__ import annotations

import time

from .access import authorize
from .access import room_id as valid_room_id
from .bus.base import Bus
from .clock import Clock
from .config import Settings
from .errors import RateLimited
from .events import Event, MembershipChanged, RoleChanged, TypingChanged
from .models import User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

REPEAT_AFTER = 1.0  # a client may say "typing" at most once a second; more is dropped, not published
ALLOWED_FOR = 30.0  # seconds a typing check of (room, user) is reused; a membership or role change ends it at once
_PRUNE_AT = 1000


class Typing:
    def __init__(self, store: Store, bus: Bus, settings: Settings, clock: Clock = time.monotonic,
                 limit: Limiter | None = None) -> None:
        self._store = store
        self._limit = limit if limit is not None else NoLimit()
        self._bus = bus
        self._ttl = settings.typing_ttl
        self._clock = clock
        self._since: dict[tuple[int, int], float] = {}  # (room_id, user_id) -> when last published
        # (room_id, user_id) -> until when the policy's "may type here" answer holds: a typing event arrives every
        # 2 s from everyone typing, and reading the room and the membership for each was a sixth of the server's
        # time with 200 pages open (bench/README.md)
        self._allowed: dict[tuple[int, int], float] = {}

    async def started(self, user: User, room_id: int) -> None:
        """`user` is typing in a room they have joined; viewers get TypingChanged(typing=True).

        Past the per-user rate limit (all rooms together) the call is dropped silently: typing is
        best-effort, and a page must never show an error because someone types fast.
        """
        try:
            await self._limit.check(user.id)  # before the store read: a flood costs no database work
        except RateLimited:
            return
        now = self._clock()
        key = (valid_room_id(room_id), user.id)  # a page's raw value: never a cache key before it is checked
        if self._allowed.get(key, 0.0) <= now:
            await authorize(self._store, user, key[0], 'typing')
            self._allowed[key] = now + ALLOWED_FOR
        last = self._since.get(key)
        if last is not None and now - last < REPEAT_AFTER:
            return
        self._since[key] = now
        if len(self._since) > _PRUNE_AT or len(self._allowed) > _PRUNE_AT:
            self._prune(now)
        await self._bus.publish(TypingChanged(key[0], user.id, user.username, True))

    async def stopped(self, user: User, room_id: int) -> None:
        """`user` stopped typing (or sent): publish typing=False if they were shown as typing."""
        last = self._since.pop((room_id, user.id), None)
        if last is not None and self._clock() - last <= self._ttl:
            await self._bus.publish(TypingChanged(room_id, user.id, user.username, False))

    async def forget(self, event: Event) -> None:
        """Bus subscriber: a membership or role change in a room ends the reuse of that member's typing check."""
        if isinstance(event, MembershipChanged | RoleChanged):
            self._allowed.pop((event.room_id, event.user_id), None)

    def _prune(self, now: float) -> None:
        # Indicators expire by themselves on the pages after the TTL; forget them here too.
        for key, since in list(self._since.items()):
            if now - since > self._ttl:
                del self._since[key]
        for key, until in list(self._allowed.items()):
            if until <= now:
                del self._allowed[key]
