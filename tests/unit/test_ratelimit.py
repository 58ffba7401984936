"""The limiter and the sign-in lockout on a fake clock: bursts, refill, growing delays, bounded memory."""
import pytest

from services.errors import RateLimited
from services.ratelimit import FailureLockout, RateLimiter, address_key

from .conftest import FakeClock


def test_burst_then_one_per_second(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 10, clock, action='send')
    for _ in range(10):
        limiter.check('alice')
    with pytest.raises(RateLimited) as refused:
        limiter.check('alice')
    assert refused.value.retry_after == pytest.approx(1.0)
    assert str(refused.value) == 'Slow down: you can send again in 1 s.'
    clock.advance(1.0)
    limiter.check('alice')
    with pytest.raises(RateLimited):
        limiter.check('alice')


def test_keys_are_separate_and_refusals_take_nothing(clock: FakeClock) -> None:
    limiter = RateLimiter(0.5, 1, clock)
    limiter.check('a')
    limiter.check('b')
    for _ in range(5):
        with pytest.raises(RateLimited, match='in 2 s') as refused:
            limiter.check('a')
    assert refused.value.retry_after == pytest.approx(2.0)
    clock.advance(1.5)
    with pytest.raises(RateLimited, match='in 1 s'):  # 0.5 s left: rounded up, never "0 s"
        limiter.check('a')
    clock.advance(0.5)
    limiter.check('a')


def test_refund_gives_back_one_call_up_to_the_burst(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 2, clock)
    limiter.check('a')
    limiter.check('a')
    limiter.refund('a')
    limiter.refund('a')
    limiter.refund('a')
    limiter.check('a')
    limiter.check('a')
    with pytest.raises(RateLimited):
        limiter.check('a')


def test_a_clock_stepping_back_does_not_drain_or_fill(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 1, clock)
    limiter.check('a')
    clock.advance(-100)
    with pytest.raises(RateLimited):
        limiter.check('a')


def test_memory_stays_bounded_under_100k_distinct_keys(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 3, clock, max_keys=1000)
    for i in range(100_000):
        limiter.check(f'attacker-{i}')
        assert len(limiter) <= 1000
    lockout = FailureLockout(clock, free=0, max_keys=1000)
    for i in range(100_000):
        lockout.failed(f'name-{i}')
    assert len(lockout) <= 1000


def test_idle_keys_are_pruned(clock: FakeClock) -> None:
    limiter = RateLimiter(1.0, 2, clock)
    for i in range(500):
        limiter.check(i)
    clock.advance(10)  # every bucket is full again: nothing left to remember
    for i in range(500, 1000):
        limiter.check(i)
    assert len(limiter) <= 500 + 2  # the cold ones went as the new ones came


def test_lockout_grows_from_the_sixth_failure_and_is_capped(clock: FakeClock) -> None:
    lockout = FailureLockout(clock, free=5, first_delay=1.0, max_delay=300.0)
    for _ in range(5):
        lockout.check('alice')
        lockout.failed('alice')
    lockout.check('alice')  # five failures are free
    waits = []
    for _ in range(12):
        lockout.failed('alice')
        with pytest.raises(RateLimited, match=r'^Too many sign-in attempts\. Try again in \d+ s\.$') as refused:
            lockout.check('alice')
        waits.append(refused.value.retry_after)
        clock.advance(refused.value.retry_after)
        lockout.check('alice')
    assert waits[:5] == [1, 2, 4, 8, 16]
    assert waits[-1] == 300 and max(waits) == 300


def test_success_resets_and_old_failures_are_forgotten(clock: FakeClock) -> None:
    lockout = FailureLockout(clock, free=1, first_delay=10, max_delay=60, forget_after=600)
    lockout.failed('a')
    lockout.failed('a')
    with pytest.raises(RateLimited, match='in 10 s'):
        lockout.check('a')
    lockout.succeeded('a')
    lockout.check('a')
    lockout.failed('a')
    lockout.check('a')  # counting starts over
    clock.advance(601)
    lockout.failed('a')
    lockout.check('a')  # the failure 601 s ago is forgotten: this is the first again


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
