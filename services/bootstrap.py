"""The composition root: the one place that picks the store and bus adapters and wires the services."""
from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher

from .accounts import Accounts
from .bus.base import Bus
from .bus.memory import InProcessBus
from .config import RateLimits, Settings
from .devices import DeviceCookies
from .hashing import HashGate, default_slots
from .lockout import FailureLockout
from .messages import Messages
from .presence import Clock, Presence
from .ratelimit import Limiter, Lockout, NoLimit, RateLimiter
from .rooms import Rooms
from .sessions import Sessions
from .signin import SignInLimits
from .store.base import Store
from .store.sqlalchemy_store import SQLAlchemyStore
from .typing import Typing


@dataclass
class Services:
    settings: Settings
    store: Store
    bus: Bus
    accounts: Accounts
    rooms: Rooms
    messages: Messages
    presence: Presence
    typing: Typing
    sessions: Sessions

    async def start(self) -> None:
        """Migrate the store, connect the bus, start presence, make sure `general` exists."""
        await self.store.start()
        await self.bus.start()
        await self.presence.start()
        await self.rooms.ensure_general()
        await self.sessions.start()  # purges expired sessions now and every hour

    async def close(self) -> None:
        """Stop in reverse order."""
        await self.sessions.close()
        self.accounts.close()
        await self.presence.close()
        await self.bus.close()
        await self.store.close()


def bootstrap(settings: Settings, *, store: Store | None = None, bus: Bus | None = None,
              clock: Clock | None = None, password_hasher: PasswordHasher | None = None,
              secret: str | None = None) -> Services:
    """Wire the services; SQLAlchemyStore on `settings.db_url` and InProcessBus unless given.

    `password_hasher` lets tests use cheap argon2 parameters; production keeps the library defaults.
    `secret` (the storage secret, shared by every instance) signs device cookies.
    """
    store = store if store is not None else SQLAlchemyStore(settings.db_url)
    bus = bus if bus is not None else InProcessBus()
    clock = clock or time.monotonic
    limits = settings.limits
    rooms = Rooms(store, bus, _bucket(limits, 'room', clock, 'create a room'),
                  _bucket(limits, 'join', clock, 'join or leave rooms'))
    typing = Typing(store, bus, settings, clock, _bucket(limits, 'typing', clock, 'type'))
    sessions = Sessions(store, bus, settings)
    hasher = password_hasher or PasswordHasher()
    slots = settings.hash_slots or default_slots(hasher.parallelism)
    sign_in = SignInLimits(
        by_pair=_lockout(limits, limits.signin_free, clock),
        by_address=_lockout(limits, limits.signin_free_per_address, clock),
        by_user=_lockout(limits, limits.signin_free_per_user, clock),
        ok_by_user=_bucket(limits, 'signin_ok', clock, 'sign in'),
        ok_by_address=_bucket(limits, 'signin_ok_address', clock, 'sign in'))
    accounts = Accounts(store, rooms, hasher, sessions=sessions, sign_in=sign_in,
                        sign_up_limit=_bucket(limits, 'signup', clock, 'create an account'),
                        gate=HashGate(slots, settings.hash_queue), devices=DeviceCookies(secret))
    return Services(
        settings=settings, store=store, bus=bus, rooms=rooms, typing=typing, accounts=accounts, sessions=sessions,
        messages=Messages(store, bus, settings, typing, _bucket(limits, 'message', clock, 'send')),
        presence=Presence(bus, settings, clock),
    )


def _lockout(limits: RateLimits, free: int, clock: Clock) -> Lockout:
    """The growing lockout after failed sign-ins (NoLimit when limits are off)."""
    if not limits.enabled:
        return NoLimit()
    return FailureLockout(clock, free=free, first_delay=limits.signin_delay, max_delay=limits.signin_max_delay,
                          forget_after=limits.signin_forget, max_keys=limits.max_keys)


def _bucket(limits: RateLimits, name: str, clock: Clock, action: str) -> Limiter:
    """The token bucket for one `<name>_burst` / `<name>_every` pair of settings (NoLimit when limits are off)."""
    if not limits.enabled:
        return NoLimit()
    every: float = getattr(limits, f'{name}_every')
    burst: int = getattr(limits, f'{name}_burst')
    return RateLimiter(1 / every, burst, clock, action=action, max_keys=limits.max_keys)


def ensure_data_dir(settings: Settings) -> str:
    """Create the data directory and return the storage secret kept in it (made on first run, mode 0600)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / 'storage_secret'
    try:
        # O_EXCL: two processes starting together cannot both write a different secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding='utf-8').strip()
        if secret:
            return secret
        raise ValueError(f'{path} is empty: delete it to generate a new storage secret') from None
    secret = secrets.token_urlsafe(32)
    with os.fdopen(fd, 'w', encoding='utf-8') as file:
        file.write(secret)
    return secret
