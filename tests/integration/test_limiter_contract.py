"""One contract, two adapters: the Limiter and Lockout ports in memory and on the machine's real Redis.

The Redis adapters are what several instances share (issue 9); each test uses its own key prefix and
deletes its keys afterwards. Time comes from a fake clock on both adapters.
"""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from services.errors import RateLimited
from services.lockout import FailureLockout
from services.ratelimit import Limiter, Lockout, RateLimiter
from services.ratelimit_redis import RedisFailureLockout, RedisRateLimiter

REDIS_URL = 'redis://127.0.0.1:6379/0'


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Adapters:
    clock: Clock
    limiter: Callable[..., Limiter]
    lockout: Callable[..., Lockout]


@pytest.fixture(params=['memory', 'redis'])
async def adapters(request: pytest.FixtureRequest) -> AsyncIterator[Adapters]:
    clock = Clock()
    if request.param == 'memory':
        yield Adapters(clock, lambda rate, burst, **kw: RateLimiter(rate, burst, clock, **kw),
                       lambda **kw: FailureLockout(clock, **kw))
        return
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisConnectionError, OSError) as error:
        await client.aclose()
        pytest.skip(f'Redis not reachable at {REDIS_URL}: {error}')
    prefix = f'test:limits:{secrets.token_hex(6)}:'
    made = iter(range(1000))
    try:
        def limiter(rate: float, burst: int, **kw: str) -> Limiter:
            return RedisRateLimiter(client, f'{prefix}{next(made)}:', rate, burst, clock=clock, **kw)

        def lockout(**kw: float) -> Lockout:
            return RedisFailureLockout(client, f'{prefix}{next(made)}:', clock=clock, **kw)  # type: ignore[arg-type]

        yield Adapters(clock, limiter, lockout)
    finally:
        keys = [key async for key in client.scan_iter(f'{prefix}*')]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_burst_then_steady_rate_and_refund(adapters: Adapters) -> None:
    limiter = adapters.limiter(1.0, 3, action='send')
    for _ in range(3):
        await limiter.check('alice')
    with pytest.raises(RateLimited, match=r'^Slow down: you can send again in 1 s\.$') as refused:
        await limiter.check('alice')
    assert refused.value.retry_after == pytest.approx(1.0)
    await limiter.check('bob')  # keys are separate
    await limiter.refund('alice')
    await limiter.check('alice')
    with pytest.raises(RateLimited):
        await limiter.check('alice')
    adapters.clock.now += 2.0
    await limiter.check('alice')
    await limiter.check('alice')
    with pytest.raises(RateLimited):
        await limiter.check('alice')


async def test_lockout_counts_before_the_verdict_and_grows(adapters: Adapters) -> None:
    lockout = adapters.lockout(free=5, first_delay=1.0, max_delay=4.0)

    async def guess() -> bool:
        try:
            await lockout.attempt(('address', 'alice', '203.0.113.7'))
        except RateLimited:
            return False
        return True

    assert sum(await asyncio.gather(*(guess() for _ in range(60)))) == 6  # atomic: 60 at once, 6 tried
    waits = []
    for _ in range(5):
        with pytest.raises(RateLimited, match=r'^Too many sign-in attempts\. Try again in \d+ s\.$') as refused:
            await lockout.attempt(('address', 'alice', '203.0.113.7'))
        waits.append(refused.value.retry_after)
        adapters.clock.now += refused.value.retry_after
        await lockout.attempt(('address', 'alice', '203.0.113.7'))
    assert waits == [1, 2, 4, 4, 4]


async def test_release_takes_back_and_success_forgets(adapters: Adapters) -> None:
    lockout = adapters.lockout(free=1, first_delay=10.0, max_delay=60.0, forget_after=600.0)
    await lockout.attempt('a')
    await lockout.attempt('a')  # the second: locks for 10 s
    await lockout.release('a')  # ... unless it is taken back
    await lockout.attempt('a')
    with pytest.raises(RateLimited, match='in 10 s'):
        await lockout.attempt('a')
    await lockout.succeeded('a')
    await lockout.attempt('a')
    await lockout.attempt('a')
    with pytest.raises(RateLimited):
        await lockout.attempt('a')
    adapters.clock.now += 601
    await lockout.attempt('a')  # forgotten after a quiet while
    await lockout.attempt('a')
