"""Which limiters the services get: in this process, or shared by every instance in Redis.

With `CHAT_REDIS_URL` every limit and sign-in lockout counts across instances (services/ratelimit_redis.py).
If Redis stops answering, each instance limits on its own with an in-process twin until it answers again
(the limit is then up to N times the setting for the outage, and the log says so once each way): an
outage of Redis must neither stop everyone from posting nor lift the sign-in lockout altogether.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Hashable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from .clock import Clock
from .config import Settings
from .lockout import FailureLockout
from .ratelimit import Limiter, Lockout, NoLimit, RateLimiter
from .ratelimit_redis import RedisFailureLockout, RedisRateLimiter
from .redis_client import redis_client

log = logging.getLogger(__name__)
RETRY_AFTER = 5.0  # seconds an instance limits on its own after Redis failed, before asking Redis again


class _Shared:
    """A Redis limiter or lockout with an in-process twin for when Redis does not answer."""

    def __init__(self, shared: Limiter | Lockout, local: Limiter | Lockout, what: str,
                 clock: Clock = time.monotonic) -> None:
        self._shared, self._local, self._what, self._clock = shared, local, what, clock
        self._failing_until: float | None = None

    async def _call(self, name: str, key: Hashable) -> None:
        now = self._clock()
        if self._failing_until is not None and now < self._failing_until:
            await self._local_call(name, key)  # do not wait for a dead Redis on every message
            return
        method: Callable[[Hashable], Awaitable[None]] = getattr(self._shared, name)
        try:
            await method(key)
        except (RedisError, OSError) as error:  # RateLimited passes: that is Redis's verdict
            if self._failing_until is None:
                log.warning('%s: Redis does not answer (%s); limiting in this process until it does', self._what,
                            type(error).__name__)
            self._failing_until = now + RETRY_AFTER
            await self._local_call(name, key)
            return
        if self._failing_until is not None:
            self._failing_until = None
            log.info('%s: Redis answers again; the limit is shared by every instance again', self._what)

    async def _local_call(self, name: str, key: Hashable) -> None:
        method: Callable[[Hashable], Awaitable[None]] = getattr(self._local, name)
        await method(key)

    async def check(self, key: Hashable) -> None:
        await self._call('check', key)

    async def refund(self, key: Hashable) -> None:
        await self._call('refund', key)

    async def attempt(self, key: Hashable) -> None:
        await self._call('attempt', key)

    async def release(self, key: Hashable) -> None:
        await self._call('release', key)

    async def succeeded(self, key: Hashable) -> None:
        await self._call('succeeded', key)


class LimitFactory:
    """Builds each named limit from the settings; `close()` ends the Redis connection if there is one."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._limits = settings.limits
        self._clock = clock
        self._prefix = settings.redis_prefix
        self._redis: Redis | None = None
        if settings.redis_url and self._limits.enabled:
            self._redis = redis_client(settings.redis_url, name='chat-limits')

    def bucket(self, name: str, action: str) -> Limiter:
        """The token bucket of the `<name>_burst` / `<name>_every` settings (NoLimit when limits are off)."""
        limits = self._limits
        if not limits.enabled:
            return NoLimit()
        every: float = getattr(limits, f'{name}_every')
        burst: int = getattr(limits, f'{name}_burst')
        local = RateLimiter(1 / every, burst, self._clock, action=action, max_keys=limits.max_keys)
        if self._redis is None:
            return local
        shared = RedisRateLimiter(self._redis, f'{self._prefix}limit:{name}:', 1 / every, burst, action=action)
        return _Shared(shared, local, f'rate limit "{name}"')

    def lockout(self, name: str, free: int) -> Lockout:
        """The growing lockout after `free` sign-in attempts per key (NoLimit when limits are off)."""
        limits = self._limits
        if not limits.enabled:
            return NoLimit()
        local = FailureLockout(self._clock, free=free, first_delay=limits.signin_delay,
                               max_delay=limits.signin_max_delay, forget_after=limits.signin_forget,
                               max_keys=limits.max_keys)
        if self._redis is None:
            return local
        shared = RedisFailureLockout(self._redis, f'{self._prefix}lockout:{name}:', free=free,
                                     first_delay=limits.signin_delay, max_delay=limits.signin_max_delay,
                                     forget_after=limits.signin_forget)
        return _Shared(shared, local, f'sign-in lockout "{name}"')

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
