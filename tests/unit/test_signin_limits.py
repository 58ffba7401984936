"""Issue 8, rows 3, 4, 6, 8 and 9: sign-in counting, lockouts a stranger cannot impose, bounded hashing,
join/leave and sign-up limits, with the default settings on a fake clock."""
import asyncio
from collections.abc import AsyncIterator

import pytest
from argon2 import PasswordHasher

from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.errors import AuthenticationFailed, Conflict, RateLimited, ServerBusy
from services.models import User
from services.store.memory import MemoryStore

from .conftest import FAST_HASHER, FakeClock

HERE = '203.0.113.7'


async def outcomes(calls: list[asyncio.Future[User] | asyncio.Task[User]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in await asyncio.gather(*calls, return_exceptions=True):
        kind = type(result).__name__
        counts[kind] = counts.get(kind, 0) + 1
    return counts


async def test_sixty_concurrent_guesses_get_at_most_six_verdicts(services: Services, alice: User) -> None:
    guesses = [asyncio.ensure_future(services.accounts.sign_in('alice', f'guess-{i:04}', HERE)) for i in range(60)]
    counted = await outcomes(guesses)
    assert counted['AuthenticationFailed'] <= 6 and counted['RateLimited'] == 60 - counted['AuthenticationFailed']
    for _ in range(6 - counted['AuthenticationFailed']):  # the verdicts given were counted: one more at most
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', HERE)
    with pytest.raises(RateLimited, match='Too many sign-in attempts'):
        await services.accounts.sign_in('alice', 'password-a', HERE)


async def test_a_stranger_rotating_addresses_does_not_lock_the_owner_out(
        services: Services, alice: User, clock: FakeClock) -> None:
    for i in range(8):  # the attack: carol refused after 8 failures from rotating addresses
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', f'198.51.100.{i}')
    assert await services.accounts.sign_in('alice', 'password-a', HERE) == alice


async def test_the_per_name_ceiling_stops_strangers_but_not_a_known_device(
        services: Services, alice: User) -> None:
    device = services.accounts.device_cookie(alice)  # set on alice's browser at an earlier sign-in
    for i in range(21):  # past the ceiling of 20 from unknown devices
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', f'198.51.100.{i}')
    with pytest.raises(RateLimited, match='Too many sign-in attempts'):
        await services.accounts.sign_in('alice', 'password-a', HERE)  # a new browser waits, like a stranger
    assert await services.accounts.sign_in('alice', 'password-a', HERE, device) == alice
    forged = device.replace(device.split('.')[1], 'A' * 24)
    with pytest.raises(RateLimited):
        await services.accounts.sign_in('alice', 'password-a', HERE, forged)
    bobs = services.accounts.device_cookie(User(99, 'bob', alice.created_at))
    with pytest.raises(RateLimited):  # another name's device cookie is no device of alice's
        await services.accounts.sign_in('alice', 'password-a', HERE, bobs)


async def test_a_known_device_has_its_own_lockout(services: Services, alice: User) -> None:
    device = services.accounts.device_cookie(alice)
    for _ in range(6):
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', HERE, device)
    with pytest.raises(RateLimited):
        await services.accounts.sign_in('alice', 'password-a', HERE, device)


async def test_successful_sign_ins_are_limited_per_user(services: Services, alice: User, clock: FakeClock) -> None:
    for _ in range(5):
        await services.accounts.sign_in('alice', 'password-a', HERE)
    with pytest.raises(RateLimited, match=r'^Slow down: you can sign in again in 30 s\.$'):
        await services.accounts.sign_in('alice', 'password-a', HERE)
    clock.advance(30)
    assert await services.accounts.sign_in('alice', 'password-a', HERE) == alice


async def test_wrong_passwords_do_not_use_up_successful_sign_ins(services: Services, alice: User) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            await services.accounts.sign_in('alice', 'wrong-password', HERE)
    for _ in range(5):
        await services.accounts.sign_in('alice', 'password-a', HERE)


class SlowHasher(PasswordHasher):
    """Cheap argon2 whose checks all wait until released: hashes pile up as under a flood."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.gate = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        assert self.loop is not None
        asyncio.run_coroutine_threadsafe(self.gate.wait(), self.loop).result(timeout=30)
        return super().verify(hash, password)


async def test_hashes_are_bounded_and_the_rest_are_told_the_server_is_busy(tmp_path: object) -> None:
    hasher = SlowHasher()
    hasher.loop = asyncio.get_running_loop()
    settings = Settings(data_dir=tmp_path, hash_slots=2, hash_queue=2)  # type: ignore[arg-type]
    svc = bootstrap(settings, store=MemoryStore(), bus=InProcessBus(), clock=FakeClock(), password_hasher=hasher)
    await svc.start()
    try:
        users = [await svc.accounts.sign_up(f'user{i}', 'password-x') for i in range(8)]
        calls = [asyncio.ensure_future(svc.accounts.sign_in(u.username, 'password-x', f'198.51.100.{i}'))
                 for i, u in enumerate(users)]
        await asyncio.sleep(0.05)
        hasher.gate.set()
        results = await asyncio.gather(*calls, return_exceptions=True)
        busy = [r for r in results if isinstance(r, ServerBusy)]
        assert len(busy) == 4 and sum(isinstance(r, User) for r in results) == 4  # 2 running + 2 queued
        assert str(busy[0]) == 'The server is busy, try again in a moment.'
        # nothing counted for the busy ones: they sign in at once
        for i, user in enumerate(users):
            assert await svc.accounts.sign_in(user.username, 'password-x', f'198.51.100.{i}') == user
    finally:
        await svc.close()


async def test_join_leave_cycles_meet_slow_down(services: Services, alice: User, clock: FakeClock) -> None:
    room = await services.rooms.create_room(alice, 'side')
    general = await services.rooms.default_room(alice)
    await services.rooms.leave(alice, room.id)  # (sign-up's join of general was the first of five)
    await services.rooms.join(alice, room.id)
    await services.rooms.leave(alice, room.id)
    await services.rooms.join(alice, room.id)
    for _ in range(10):
        await services.rooms.join(alice, general.id)  # already a member: changes nothing, costs nothing
    with pytest.raises(RateLimited, match=r'^Slow down: you can join or leave rooms again in 10 s\.$'):
        await services.rooms.leave(alice, room.id)
    assert {r.name for r in await services.rooms.list_joined(alice)} == {'general', 'side'}
    clock.advance(10)
    await services.rooms.leave(alice, room.id)


async def test_sign_up_counts_taken_names_too(services: Services, alice: User) -> None:
    for _ in range(5):
        with pytest.raises(Conflict):
            await services.accounts.sign_up('alice', 'password-x', HERE)
    with pytest.raises(RateLimited, match='create an account again'):
        await services.accounts.sign_up('alice', 'password-x', HERE)  # no more answers about names


@pytest.fixture
async def services(settings: Settings, clock: FakeClock) -> AsyncIterator[Services]:
    svc = bootstrap(settings, store=MemoryStore(), bus=InProcessBus(), clock=clock, password_hasher=FAST_HASHER)
    await svc.start()
    yield svc
    await svc.close()
