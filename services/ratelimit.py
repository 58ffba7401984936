"""Rate limits: a token bucket per key, and a growing lockout after failed sign-ins.

Both live in the memory of one process: with several instances each one limits on its own, so the
effective limit is up to N times the setting. A Redis-backed version can implement the same small
Protocols (Limiter, Lockout) later; the services only see those.

Memory is bounded: keys live in an LRU of at most `max_keys` entries, and every call drops the
least recently used entries that are back to their resting state (a full bucket, a forgotten
failure count), so an idle key costs nothing and a client rotating keys cannot grow memory without
limit. Evicting a key that is still limited forgets its state: the price of the bound, paid only
under a flood of more than `max_keys` distinct keys.
"""
from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol

from .clock import Clock
from .errors import RateLimited

MAX_KEYS = 10_000
_PRUNE_STEPS = 2  # resting entries dropped from the LRU's cold end per call: amortised O(1)


def wait_text(seconds: float) -> str:
    """Whole seconds to wait as a person reads it: rounded up, at least 1."""
    return f'{max(1, math.ceil(seconds))} s'


def address_key(address: object) -> str | None:
    """The key for a client address: IPv6 grouped by /64 (one host usually owns a whole /64)."""
    if not isinstance(address, str) or not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]  # a test client or a unix socket: still a stable, bounded key
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Limiter(Protocol):
    """Allows a burst of calls per key, then a steady rate."""

    def check(self, key: Hashable) -> None:
        """Take one call's allowance for `key`, or raise RateLimited (taking nothing)."""

    def refund(self, key: Hashable) -> None:
        """Give back the allowance of a call that turned out to do nothing (an idempotent repeat)."""


class Lockout(Protocol):
    """Counts failures per key; after a number of free ones, each locks the key for longer."""

    def check(self, key: Hashable) -> None:
        """Raise RateLimited while `key` is locked."""

    def failed(self, key: Hashable) -> None:
        """Record a failure for `key` (and lock it if it is past the free ones)."""

    def succeeded(self, key: Hashable) -> None:
        """Forget the failures of `key`."""


class NoLimit:
    """Limiter and Lockout that allow everything (CHAT_RATE_LIMITS=off, for benchmarks)."""

    def check(self, key: Hashable) -> None:
        return None

    def refund(self, key: Hashable) -> None:
        return None

    def failed(self, key: Hashable) -> None:
        return None

    def succeeded(self, key: Hashable) -> None:
        return None


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token bucket: `burst` calls at once, refilled at `rate_per_s`. `action` completes
    'Slow down: you can ... again in N s.'"""

    def __init__(self, rate_per_s: float, burst: int, clock: Clock = time.monotonic, *,
                 action: str = 'try', max_keys: int = MAX_KEYS) -> None:
        if not rate_per_s > 0 or burst < 1 or max_keys < 1:
            raise ValueError('rate_per_s must be > 0, burst and max_keys at least 1')
        self._rate = rate_per_s
        self._burst = float(burst)
        self._clock = clock
        self._action = action
        self._max_keys = max_keys
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, key: Hashable) -> None:
        now = self._clock()
        bucket = self._refilled(key, now)
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) / self._rate
            raise RateLimited(f'Slow down: you can {self._action} again in {wait_text(wait)}.', wait)
        bucket.tokens -= 1
        self._prune(now)

    def refund(self, key: Hashable) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(self._burst, bucket.tokens + 1)

    def _refilled(self, key: Hashable, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self._burst, now)
        else:
            self._buckets.move_to_end(key)
            # max(): a clock that steps back must not drain the bucket
            bucket.tokens = min(self._burst, bucket.tokens + max(0.0, now - bucket.at) * self._rate)
            bucket.at = now
        return bucket

    def _prune(self, now: float) -> None:
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        for _ in range(_PRUNE_STEPS):
            if not self._buckets:
                return
            key, oldest = next(iter(self._buckets.items()))
            if oldest.tokens + (now - oldest.at) * self._rate < self._burst:
                return  # the coldest entry is still limited: so may be the rest
            del self._buckets[key]


@dataclass(slots=True)
class _Failures:
    count: int
    last: float
    until: float


class FailureLockout:
    """The first `free` failures cost nothing; then `first_delay` s, doubling up to `max_delay` s.

    Failures are forgotten `forget_after` s after the last one, or at once by `succeeded`.
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
        self._keys: OrderedDict[Hashable, _Failures] = OrderedDict()

    def __len__(self) -> int:
        return len(self._keys)

    def check(self, key: Hashable) -> None:
        now = self._clock()
        entry = self._keys.get(key)
        if entry is not None and now < entry.until:
            wait = entry.until - now
            raise RateLimited(f'Too many sign-in attempts. Try again in {wait_text(wait)}.', wait)

    def failed(self, key: Hashable) -> None:
        now = self._clock()
        entry = self._keys.pop(key, None)
        if entry is None or now - entry.last > self._forget:
            entry = _Failures(0, now, now)
        entry.count += 1
        entry.last = now
        beyond = entry.count - self._free
        if beyond > 0:
            # min() before the power would overflow: 2 ** 60 s is already far past any cap
            entry.until = now + min(self._max, self._first * 2.0 ** min(beyond - 1, 60))
        self._keys[key] = entry  # most recently used at the end
        self._prune(now)

    def succeeded(self, key: Hashable) -> None:
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
