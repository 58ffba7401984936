"""The growing lockout of sign-in attempts: counted before the password hash, in one atomic step.

`attempt` checks and records together (no await in between, so it is atomic on the event loop; a
Redis adapter does the same in one Lua script). Every attempt counts as a failure until `succeeded`
forgets the key, so concurrent guesses cannot all pass before the first verdict is recorded.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from .clock import Clock
from .errors import RateLimited
from .ratelimit import _PRUNE_STEPS, MAX_KEYS, wait_text


@dataclass(slots=True)
class _Attempts:
    count: int
    last: float
    until: float


class FailureLockout:
    """The first `free` failed attempts cost nothing; then each locks the key for `first_delay` s,
    doubling up to `max_delay` s. Attempts are forgotten `forget_after` s after the last one, or at
    once by `succeeded`. A refused attempt is not counted (a flood cannot stretch the lock).
    """

    def __init__(self, clock: Clock = time.monotonic, *, free: int = 5, first_delay: float = 1.0,
                 max_delay: float = 300.0, forget_after: float = 900.0, max_keys: int = MAX_KEYS) -> None:
        if free < 0 or not 0 < first_delay <= max_delay or forget_after < 0 or max_keys < 1:
            raise ValueError('free >= 0, 0 < first_delay <= max_delay, forget_after >= 0, max_keys >= 1')
        self._clock = clock
        self._free = free
        self._first = first_delay
        self._max = max_delay
        self._forget = max(forget_after, max_delay)  # never forget a key that is still locked
        self._max_keys = max_keys
        self._keys: OrderedDict[Hashable, _Attempts] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    async def attempt(self, key: Hashable) -> None:
        now = self._clock()
        entry = self._keys.pop(key, None)
        if entry is None or now - entry.last > self._forget:
            entry = _Attempts(0, now, now)
        self._keys[key] = entry  # most recently used at the end
        if now < entry.until:
            wait = entry.until - now
            raise RateLimited(f'Too many sign-in attempts. Try again in {wait_text(wait)}.', wait)
        entry.count += 1
        entry.last = now
        beyond = entry.count - self._free
        if beyond > 0:
            # min() before the power would overflow: 2 ** 60 s is already far past any cap
            entry.until = now + min(self._max, self._first * 2.0 ** min(beyond - 1, 60))
        self._prune(now)

    async def release(self, key: Hashable) -> None:
        entry = self._keys.get(key)
        if entry is None:
            return
        entry.count = max(0, entry.count - 1)
        if entry.count <= self._free:
            entry.until = min(entry.until, self._clock())  # the lock came from the attempt taken back

    async def succeeded(self, key: Hashable) -> None:
        self._keys.pop(key, None)

    def _prune(self, now: float) -> None:
        while len(self._keys) > self._max_keys:
            self._keys.popitem(last=False)
        for _ in range(_PRUNE_STEPS):
            if not self._keys:
                return
            key, oldest = next(iter(self._keys.items()))
            if now - oldest.last <= self._forget:
                return
            del self._keys[key]
