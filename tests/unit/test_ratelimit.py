"""The limiter and the sign-in lockout on a fake clock: bursts, refill, growing delays, bounded memory."""
import asyncio

import pytest

from services.errors import RateLimited
from services.lockout import FailureLockout
from services.ratelimit import RateLimiter, address_key

from .conftest import FakeClock


async def test_burst_then_one_per_second(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 10, clock, action='send')
    for _ in range(10):
        await limiter.check('alice')
    with pytest.raises(RateLimited) as refused:
        await limiter.check('alice')
    assert refused.value.retry_after == pytest.approx(1.0)
    assert str(refused.value) == 'Slow down: you can send again in 1 s.'
    clock.advance(1.0)
    await limiter.check('alice')
    with pytest.raises(RateLimited):
        await limiter.check('alice')


async def test_keys_are_separate_and_refusals_take_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(0.5, 1, clock)
    await limiter.check('a')
    await limiter.check('b')
    for _ in range(5):
        with pytest.raises(RateLimited, match='in 2 s') as refused:
            await limiter.check('a')
    assert refused.value.retry_after == pytest.approx(2.0)
    clock.advance(1.5)
    with pytest.raises(RateLimited, match='in 1 s'):  # 0.5 s left: rounded up, never "0 s"
        await limiter.check('a')
    clock.advance(0.5)
    await limiter.check('a')


async def test_refund_gives_back_one_call_up_to_the_burst(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 2, clock)
    await limiter.check('a')
    await limiter.check('a')
    for _ in range(3):
        await limiter.refund('a')
    await limiter.check('a')
    await limiter.check('a')
    with pytest.raises(RateLimited):
        await limiter.check('a')


async def test_a_clock_stepping_back_does_not_drain_or_fill(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 1, clock)
    await limiter.check('a')
    clock.advance(-100)
    with pytest.raises(RateLimited):
        await limiter.check('a')


async def test_memory_stays_bounded_under_100k_distinct_keys(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 3, clock, max_keys=1000)
    for i in range(100_000):
        await limiter.check(f'attacker-{i}')
        assert len(limiter) <= 1000
    lockout = FailureLockout(clock, free=0, max_keys=1000)
    for i in range(100_000):
        await lockout.attempt(f'name-{i}')
    assert len(lockout) <= 1000


async def test_idle_keys_are_pruned(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 2, clock)
    for i in range(500):
        await limiter.check(i)
    clock.advance(10)  # every bucket is full again: nothing left to remember
    for i in range(500, 1000):
        await limiter.check(i)
    assert len(limiter) <= 500 + 2  # the cold ones went as the new ones came


async def test_lockout_grows_from_the_sixth_attempt_and_is_capped(clock: FakeClock) -> None:
    lockout = FailureLockout(clock, free=5, first_delay=1.0, max_delay=300.0)
    for _ in range(6):
        await lockout.attempt('alice')  # five free failures, and the sixth may still be tried
    waits = []
    for _ in range(12):
        with pytest.raises(RateLimited, match=r'^Too many sign-in attempts\. Try again in \d+ s\.$') as refused:
            await lockout.attempt('alice')
        waits.append(refused.value.retry_after)
        clock.advance(refused.value.retry_after)
        await lockout.attempt('alice')
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert waits[-1] == 300 and max(waits) == 300


async def test_concurrent_attempts_are_counted_before_any_verdict(clock: FakeClock) -> None:
    """Row 3 of issue 8: the count is taken on arrival, so 60 guesses at once get 6 tries, not 60."""
    lockout = FailureLockout(clock, free=5)

    async def guess() -> bool:
        try:
            await lockout.attempt('alice')
        except RateLimited:
            return False
        await asyncio.sleep(0.01)  # the password hash; no verdict recorded yet
        return True

    tried = await asyncio.gather(*(guess() for _ in range(60)))
    assert sum(tried) == 6


async def test_refused_attempts_do_not_stretch_the_lock(clock: FakeClock) -> None:
    lockout = FailureLockout(clock, free=0, first_delay=10, max_delay=60)
    await lockout.attempt('a')
    for _ in range(100):
        with pytest.raises(RateLimited, match='in 10 s'):
            await lockout.attempt('a')
    clock.advance(10)
    await lockout.attempt('a')  # the second attempt: 20 s now, not 2 ** 100
    with pytest.raises(RateLimited, match='in 20 s'):
        await lockout.attempt('a')


async def test_success_resets_release_takes_back_and_old_attempts_are_forgotten(clock: FakeClock) -> None:
    lockout = FailureLockout(clock, free=1, first_delay=10, max_delay=60, forget_after=600)
    await lockout.attempt('a')
    await lockout.attempt('a')
    with pytest.raises(RateLimited, match='in 10 s'):
        await lockout.attempt('a')
    await lockout.succeeded('a')
    await lockout.attempt('a')
    await lockout.release('a')  # not made after all: neither counted nor locking
    await lockout.attempt('a')
    await lockout.attempt('a')  # the second counted one: now it locks
    with pytest.raises(RateLimited):
        await lockout.attempt('a')
    clock.advance(601)
    await lockout.attempt('a')
    await lockout.attempt('a')  # those 601 s ago are forgotten: these are the first again


def test_bad_parameters_are_refused(clock: FakeClock) -> None:
    for args in ((0, 1), (1, 0), (float('nan'), 1)):
        with pytest.raises(ValueError):
            RateLimiter(args[0], int(args[1]), clock)
    with pytest.raises(ValueError):
        FailureLockout(clock, first_delay=10, max_delay=1)


@pytest.mark.parametrize(('address', 'key'), [
    ('203.0.113.7', '203.0.113.7'),
    ('2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'),
    ('2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'),
    ('::ffff:198.51.100.1', '198.51.100.1'),
    ('testclient', 'testclient'),
    ('x' * 1000, 'x' * 64),
    ('', None), (None, None), (42, None),
])
def test_address_keys(address: object, key: str | None) -> None:
    assert address_key(address) == key
