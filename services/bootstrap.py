"""The composition root: the one place that picks the store and bus adapters and wires the services."""
from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher

from .accounts import Accounts
from .bus.base import Bus
from .bus.memory import InProcessBus
from .bus.redis import RedisBus
from .clock import Clock
from .config import RateLimits, Settings
from .messages import Messages
from .presence import Presence, PresenceTracker
from .presence_redis import RedisPresence
from .ratelimit import FailureLockout, Limiter, Lockout, NoLimit, RateLimiter
from .rooms import Rooms
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
    presence: PresenceTracker
    typing: Typing

    async def start(self) -> None:
        """Migrate the store, connect the bus, start presence, make sure `general` exists."""
        await self.store.start()
        await self.bus.start()
        await self.presence.start()
        await self.rooms.ensure_general()

    async def close(self) -> None:
        """Stop in reverse order."""
        await self.presence.close()
        await self.bus.close()
        await self.store.close()


def bootstrap(settings: Settings, *, store: Store | None = None, bus: Bus | None = None,
              clock: Clock | None = None, password_hasher: PasswordHasher | None = None) -> Services:
    """Wire the services; SQLAlchemyStore on `settings.db_url` unless given; with `settings.redis_url`, the bus
    and presence in Redis (several instances, one chat), else in this process.

    `password_hasher` lets tests use cheap argon2 parameters; production keeps the library defaults.
    """
    store = store if store is not None else SQLAlchemyStore(settings.db_url)
    bus, presence = _bus_and_presence(settings, bus, clock)
    clock = clock or time.monotonic
    limits = settings.limits
    rooms = Rooms(store, bus, _bucket(limits, 'room', clock, 'create a room'))
    typing = Typing(store, bus, settings, clock, _bucket(limits, 'typing', clock, 'type'))
    accounts = Accounts(store, rooms, password_hasher,
                        sign_up_limit=_bucket(limits, 'signup', clock, 'create an account'),
                        sign_in_by_name=_lockout(limits, limits.signin_free, clock),
                        sign_in_by_address=_lockout(limits, limits.signin_free_per_address, clock))
    return Services(
        settings=settings, store=store, bus=bus, rooms=rooms, typing=typing, accounts=accounts,
        messages=Messages(store, bus, settings, typing, _bucket(limits, 'message', clock, 'send')),
        presence=presence,
    )


def _bus_and_presence(settings: Settings, bus: Bus | None, clock: Clock | None) -> tuple[Bus, PresenceTracker]:
    """In this process; or in Redis when `settings.redis_url` is set, with one id for this instance on both."""
    if not settings.redis_url:
        bus = bus if bus is not None else InProcessBus()
        return bus, Presence(bus, settings, clock or time.monotonic)
    instance = uuid.uuid4().hex[:12]
    bus = bus if bus is not None else RedisBus(settings.redis_url, settings.redis_prefix, origin=instance)
    # wall-clock time: connection expiries are compared across processes
    return bus, RedisPresence(settings.redis_url, bus, settings, settings.redis_prefix, instance=instance,
                              clock=clock or time.time)


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
    """Create the data directory and return the storage secret: CHAT_STORAGE_SECRET when set (several instances
    of one chat share it), else the one kept in the data directory (made on first run, mode 0600)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.storage_secret:
        return settings.storage_secret
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
