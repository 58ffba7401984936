"""The Limiter and Lockout ports on Redis: one Lua script per decision, so every instance counts together.

Each call is a single script run (atomic in Redis: check and record cannot interleave between
instances). Time is Redis's own clock (`TIME`), the same for every instance, unless a clock is given
(tests). Keys expire on their own once they are back at rest, so idle keys cost nothing.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

from redis.asyncio import Redis

from .errors import RateLimited
from .ratelimit import wait_text

Clock = Callable[[], float]

_NOW = '''
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
'''

# ARGV: now, rate, burst. Returns 'ok' or the seconds to wait (as text: Lua numbers become integers).
_CHECK = _NOW + '''
local rate, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
if tokens < 1 then return tostring((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(math.max(now, at)))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return 'ok'
'''

_REFUND = '''
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens then redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tokens + 1))) end
return 'ok'
'''

# ARGV: now, free, first delay, max delay, forget after. Returns 'ok' or the seconds to wait.
_ATTEMPT = _NOW + '''
local free, first, cap, forget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'count', 'last', 'until')
local count, last, locked = tonumber(state[1]) or 0, tonumber(state[2]) or now, tonumber(state[3]) or 0
if now - last > forget then count = 0; locked = 0 end
if now < locked then return tostring(locked - now) end
count = count + 1
local beyond = count - free
if beyond > 0 then locked = now + math.min(cap, first * 2 ^ math.min(beyond - 1, 60)) end
redis.call('HSET', KEYS[1], 'count', count, 'last', tostring(now), 'until', tostring(locked))
redis.call('EXPIRE', KEYS[1], math.ceil(forget) + 1)
return 'ok'
'''

# ARGV: now, free
_RELEASE = _NOW + '''
local count = tonumber(redis.call('HGET', KEYS[1], 'count'))
if not count then return 'ok' end
count = math.max(0, count - 1)
redis.call('HSET', KEYS[1], 'count', count)
if count <= tonumber(ARGV[2]) then
  local locked = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
  redis.call('HSET', KEYS[1], 'until', tostring(math.min(locked, now)))
end
return 'ok'
'''


def _key(prefix: str, key: Hashable) -> str:
    return f'{prefix}{key!r}'[:512]  # repr: stable for the str, int and tuple keys the services use


class RedisRateLimiter:
    """Token bucket on Redis, the same semantics as services.ratelimit.RateLimiter."""

    def __init__(self, client: Redis, prefix: str, rate_per_s: float, burst: int, *, action: str = 'try',
                 clock: Clock | None = None) -> None:
        if not rate_per_s > 0 or burst < 1:
            raise ValueError('rate_per_s must be > 0 and burst at least 1')
        self._prefix, self._rate, self._burst, self._action, self._clock = prefix, rate_per_s, burst, action, clock
        self._check = client.register_script(_CHECK)
        self._refund = client.register_script(_REFUND)

    def _now(self) -> str:
        return repr(self._clock()) if self._clock is not None else ''

    async def check(self, key: Hashable) -> None:
        result = await self._check(keys=[_key(self._prefix, key)], args=[self._now(), self._rate, self._burst])
        wait = _wait(result)
        if wait is not None:
            raise RateLimited(f'Slow down: you can {self._action} again in {wait_text(wait)}.', wait)

    async def refund(self, key: Hashable) -> None:
        await self._refund(keys=[_key(self._prefix, key)], args=[self._burst])


class RedisFailureLockout:
    """Growing lockout on Redis, the same semantics as services.lockout.FailureLockout."""

    def __init__(self, client: Redis, prefix: str, *, free: int = 5, first_delay: float = 1.0,
                 max_delay: float = 300.0, forget_after: float = 900.0, clock: Clock | None = None) -> None:
        if free < 0 or not 0 < first_delay <= max_delay or forget_after < 0:
            raise ValueError('free >= 0, 0 < first_delay <= max_delay, forget_after >= 0')
        self._client, self._prefix, self._clock = client, prefix, clock
        self._args = [free, first_delay, max_delay, max(forget_after, max_delay)]
        self._attempt = client.register_script(_ATTEMPT)
        self._release = client.register_script(_RELEASE)

    def _now(self) -> str:
        return repr(self._clock()) if self._clock is not None else ''

    async def attempt(self, key: Hashable) -> None:
        wait = _wait(await self._attempt(keys=[_key(self._prefix, key)], args=[self._now(), *self._args]))
        if wait is not None:
            raise RateLimited(f'Too many sign-in attempts. Try again in {wait_text(wait)}.', wait)

    async def release(self, key: Hashable) -> None:
        await self._release(keys=[_key(self._prefix, key)], args=[self._now(), self._args[0]])

    async def succeeded(self, key: Hashable) -> None:
        await self._client.delete(_key(self._prefix, key))


def _wait(result: Any) -> float | None:
    text = result.decode() if isinstance(result, bytes) else str(result)
    if text == 'ok':
        return None
    wait = float(text)
    return wait if math.isfinite(wait) else 1.0
