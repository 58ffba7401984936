"""Rate limits as the services apply them, with the default settings and a fake clock."""
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import RateLimits, Settings
from services.errors import AuthenticationFailed, RateLimited
from services.events import MessagePosted, TypingChanged
from services.models import User
from services.store.memory import MemoryStore

from .conftest import FakeClock, Recorder

HERE = '203.0.113.7'


class CountingHasher(PasswordHasher):
    """Cheap argon2 that counts how often a password is checked."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    """Overrides conftest's: the `services` fixture hashes with this one."""
    return CountingHasher()


async def test_the_eleventh_message_in_a_burst_waits_a_second(
        services: Services, alice: User, clock: FakeClock) -> None:
    room = await services.rooms.default_room(alice)
    for i in range(10):
        await services.messages.post(alice, room.id, f'm{i}', f'c{i}')
    with pytest.raises(RateLimited, match=r'^Slow down: you can send again in 1 s\.$') as refused:
        await services.messages.post(alice, room.id, 'too fast', 'c10')
    assert refused.value.retry_after == pytest.approx(1.0)
    clock.advance(1.0)
    await services.messages.post(alice, room.id, 'now fine', 'c10')
    assert [m.body for m in await services.messages.latest(alice, room.id)][-1] == 'now fine'


async def test_limits_are_per_user(services: Services, alice: User, bob: User) -> None:
    room = await services.rooms.default_room(alice)
    for i in range(10):
        await services.messages.post(alice, room.id, 'a', f'a{i}')
    with pytest.raises(RateLimited):
        await services.messages.post(alice, room.id, 'a', 'a10')
    # alice's burst used up her allowance only: bob, in the same room at the same moment, still gets his ten
    for i in range(10):
        await services.messages.post(bob, room.id, 'b', f'b{i}')
    assert [m.author_name for m in await services.messages.latest(bob, room.id, 20)] == ['alice'] * 10 + ['bob'] * 10


async def test_a_resend_uses_no_allowance_even_at_the_limit(
        services: Services, alice: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    first = await services.messages.post(alice, room.id, 'hello', 'same')
    for _ in range(20):
        assert await services.messages.post(alice, room.id, 'hello', 'same') == first
    for i in range(9):
        await services.messages.post(alice, room.id, 'more', f'c{i}')
    # the allowance is used up now, and a resend still gets its stored message back
    assert await services.messages.post(alice, room.id, 'hello', 'same') == first
    with pytest.raises(RateLimited):
        await services.messages.post(alice, room.id, 'new', 'fresh')
    assert len(recorder.of(MessagePosted)) == 10


async def test_typing_past_the_limit_is_dropped_silently(
        services: Services, alice: User, clock: FakeClock, recorder: Recorder) -> None:
    rooms = [await services.rooms.create_room(alice, f'room-{i}') for i in range(5)]
    for room in rooms:
        await services.typing.started(alice, room.id)  # no error, ever
    assert len(recorder.of(TypingChanged)) == 3
    clock.advance(1.0)
    await services.typing.started(alice, rooms[4].id)
    assert len(recorder.of(TypingChanged)) == 4


async def test_room_creation_burst_of_five_then_one_a_minute(
        services: Services, alice: User, clock: FakeClock) -> None:
    for i in range(5):
        await services.rooms.create_room(alice, f'room-{i}')
    with pytest.raises(RateLimited, match=r'create a room again in 60 s\.$'):
        await services.rooms.create_room(alice, 'room-5')
    clock.advance(60)
    await services.rooms.create_room(alice, 'room-5')


async def test_sign_up_per_address(services: Services, clock: FakeClock) -> None:
    for i in range(5):
        await services.accounts.sign_up(f'user{i}', 'password-x', HERE)
    with pytest.raises(RateLimited, match=r'create an account again in 60 s\.$'):
        await services.accounts.sign_up('user5', 'password-x', HERE)
    await services.accounts.sign_up('user5', 'password-x', '198.51.100.1')  # another address
    await services.accounts.sign_up('user6', 'password-x')  # no address known: not limited
    clock.advance(60)
    await services.accounts.sign_up('user7', 'password-x', HERE)


async def test_sign_in_lockout_grows_skips_the_hasher_and_resets_on_success(
        services: Services, alice: User, clock: FakeClock, hasher: CountingHasher) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', HERE)
    for expected_wait in (1, 2, 4):
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', HERE)
        checked = hasher.verified
        with pytest.raises(RateLimited, match=rf'^Too many sign-in attempts\. Try again in {expected_wait} s\.$'):
            await services.accounts.sign_in('Alice', 'password-a', HERE)  # even the right password
        assert hasher.verified == checked  # refused before any hashing
        clock.advance(expected_wait)
    assert await services.accounts.sign_in('alice', 'password-a', HERE) == alice
    for _ in range(5):  # the count starts over after a success
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', HERE)
    assert await services.accounts.sign_in('alice', 'password-a', HERE) == alice


async def test_sign_in_lockout_per_username_holds_without_an_address(services: Services, alice: User) -> None:
    for _ in range(6):
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password')
    with pytest.raises(RateLimited):
        await services.accounts.sign_in('alice', 'password-a')


async def test_one_address_guessing_many_names_is_locked(services: Services, alice: User) -> None:
    for i in range(21):  # 20 free per address, each on a different name
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in(f'guess{i}', 'wrong-password', HERE)
    with pytest.raises(RateLimited, match='Too many sign-in attempts'):
        await services.accounts.sign_in('alice', 'password-a', HERE)
    assert await services.accounts.sign_in('alice', 'password-a', '198.51.100.1') == alice
    assert await services.accounts.sign_in('alice', 'password-a') == alice


async def test_bad_input_counts_as_a_failure_and_never_crashes(services: Services) -> None:
    for bad in (None, 42, '', 'x' * 10_000, '\x00'):
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in(bad, bad, HERE)  # type: ignore[arg-type]
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'whatever-pw', bad)  # type: ignore[arg-type]


async def test_limits_off_allows_floods(tmp_path: Path, clock: FakeClock) -> None:
    settings = Settings.from_env({'CHAT_RATE_LIMITS': 'off', 'CHAT_DATA_DIR': str(tmp_path)})
    svc = bootstrap(settings, store=MemoryStore(), bus=InProcessBus(), clock=clock,
                    password_hasher=CountingHasher())
    await svc.start()
    try:
        users = [await svc.accounts.sign_up(f'user{i}', 'password-x', HERE) for i in range(20)]
        room = await svc.rooms.default_room(users[0])
        for i in range(100):
            await svc.messages.post(users[0], room.id, 'flood', f'c{i}')
        for i in range(20):
            await svc.rooms.create_room(users[0], f'room-{i}')
        for _ in range(30):
            with pytest.raises(AuthenticationFailed):
                await svc.accounts.sign_in('user1', 'wrong-password', HERE)
        assert await svc.accounts.sign_in('user1', 'password-x', HERE) == users[1]
    finally:
        await svc.close()


def test_limits_are_on_by_default_and_read_from_the_environment() -> None:
    assert Settings.from_env({}).limits == RateLimits() and RateLimits().enabled
    settings = Settings.from_env({'CHAT_MESSAGE_BURST': '2', 'CHAT_MESSAGE_EVERY': '5', 'CHAT_SIGNIN_FREE': '0'})
    assert replace(settings.limits, message_burst=10, message_every=1.0, signin_free=5) == RateLimits()
    assert not Settings.from_env({'CHAT_RATE_LIMITS': 'off'}).limits.enabled


@pytest.mark.parametrize(('env', 'named'), [
    ({'CHAT_RATE_LIMITS': 'sometimes'}, 'CHAT_RATE_LIMITS'),
    ({'CHAT_MESSAGE_BURST': '0'}, 'CHAT_MESSAGE_BURST'),
    ({'CHAT_MESSAGE_EVERY': '0'}, 'CHAT_MESSAGE_EVERY'),
    ({'CHAT_ROOM_EVERY': 'inf'}, 'CHAT_ROOM_EVERY'),
    ({'CHAT_SIGNUP_BURST': 'lots'}, 'CHAT_SIGNUP_BURST'),
    ({'CHAT_SIGNIN_DELAY': '600'}, 'CHAT_SIGNIN_MAX_DELAY'),
    ({'CHAT_RATE_LIMIT_KEYS': '0'}, 'CHAT_RATE_LIMIT_KEYS'),
])
def test_bad_limit_settings_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Settings.from_env(env)
