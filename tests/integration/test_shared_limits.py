"""Limits across instances: two instances on one Redis count together; without Redis each limits alone."""
from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from services.config import RateLimits, Settings
from services.errors import RateLimited
from services.limits import LimitFactory

from .redis_helpers import REDIS_URL, TcpProxy, redis_prefix

LIMITS = RateLimits(message_burst=3, message_every=3600.0, signin_free=1, signin_delay=60.0)


def settings(prefix: str, url: str = REDIS_URL) -> Settings:
    return replace(Settings(), redis_url=url, redis_prefix=prefix, limits=LIMITS)


async def test_a_burst_counts_across_instances() -> None:
    async with redis_prefix() as (_admin, prefix):
        one, two = LimitFactory(settings(prefix), clock=lambda: 0.0), LimitFactory(settings(prefix), clock=lambda: 0.0)
        try:
            on_one, on_two = one.bucket('message', 'send'), two.bucket('message', 'send')
            await on_one.check(7)
            await on_two.check(7)
            await on_one.check(7)  # 3 in all: the burst is spent, wherever the next one arrives
            for limiter in (on_one, on_two):
                with pytest.raises(RateLimited, match='Slow down: you can send again in'):
                    await limiter.check(7)
            await on_two.check(8)  # another user has their own bucket
            lock_one, lock_two = one.lockout('pair', 1), two.lockout('pair', 1)
            await lock_one.attempt(('carol', '10.0.0.1'))
            await lock_two.attempt(('carol', '10.0.0.1'))  # the second attempt, on the other instance, locks
            with pytest.raises(RateLimited, match='Too many sign-in attempts'):
                await lock_one.attempt(('carol', '10.0.0.1'))
        finally:
            await one.close()
            await two.close()


async def test_without_redis_each_instance_limits_alone_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger='services.limits')
    proxy = TcpProxy()
    await proxy.start()
    async with redis_prefix() as (_admin, prefix):
        made = LimitFactory(settings(prefix, proxy.url), clock=lambda: 0.0)
        try:
            limiter = made.bucket('message', 'send')
            await limiter.check(1)
            await proxy.cut()
            await limiter.check(1)  # Redis is away: the local twin counts (its own burst of 3)
            await limiter.check(1)
            await limiter.check(1)
            with pytest.raises(RateLimited):
                await limiter.check(1)  # still limited: an outage does not lift the limit
            warnings = [r for r in caplog.records if 'Redis does not answer' in r.getMessage()]
            assert len(warnings) == 1, 'one line per outage, not one per message'
        finally:
            await made.close()
            await proxy.cut()
