"""The composition root: the one place that picks the store and bus adapters and wires the services."""
from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from argon2 import PasswordHasher

from .accounts import Accounts
from .blobs.base import BlobStore
from .blobs.local import LocalBlobStore
from .blobs.s3 import S3BlobStore, parse_s3_url
from .bus.base import Bus
from .bus.memory import InProcessBus
from .bus.redis import RedisBus
from .clock import Clock
from .config import Settings
from .conversations import Conversations
from .devices import DeviceCookies
from .hashing import HashGate, default_slots
from .limits import LimitFactory
from .membership import Membership
from .messages import Messages
from .presence import Presence, PresenceTracker
from .presence_redis import RedisPresence
from .reactions import Reactions
from .reads import Reads
from .rooms import Rooms
from .search import Search
from .sessions import Sessions
from .signin import SignInLimits
from .store.base import Store
from .store.sqlalchemy_store import SQLAlchemyStore
from .typing import Typing
from .uploads import Uploads


@dataclass
class Services:
    settings: Settings
    store: Store
    bus: Bus
    accounts: Accounts
    rooms: Rooms
    membership: Membership
    conversations: Conversations
    messages: Messages
    search: Search
    presence: PresenceTracker
    typing: Typing
    sessions: Sessions
    limits: LimitFactory
    reads: Reads
    reactions: Reactions
    uploads: Uploads

    async def start(self) -> None:
        """Migrate the store, connect the bus, start presence, make sure `general` exists."""
        await self.store.start()
        await self.bus.start()
        await self.presence.start()
        await self.rooms.ensure_general()
        await self.sessions.start()  # purges expired sessions now and every hour
        await self.uploads.start()  # removes what a crash left of uploads in progress

    async def close(self) -> None:
        """Stop in reverse order."""
        await self.reads.close()  # what pages reported is written (and published) before the store and bus go
        await self.sessions.close()
        self.accounts.close()
        await self.presence.close()
        await self.bus.close()
        await self.limits.close()
        await self.uploads.close()
        await self.store.close()


def bootstrap(settings: Settings, *, store: Store | None = None, bus: Bus | None = None,
              clock: Clock | None = None, password_hasher: PasswordHasher | None = None,
              secret: str | None = None) -> Services:
    """Wire the services; SQLAlchemyStore on `settings.db_url` unless given; with `settings.redis_url`, the bus
    and presence in Redis (several instances, one chat), else in this process.

    `password_hasher` lets tests use cheap argon2 parameters; production keeps the library defaults.
    `secret` (the storage secret, shared by every instance) signs device cookies.
    """
    store = store if store is not None else SQLAlchemyStore(settings.db_url)
    bus, presence = _bus_and_presence(settings, bus, clock)
    clock = clock or time.monotonic
    limits = settings.limits
    made = LimitFactory(settings, clock)
    rooms = Rooms(store, bus, made.bucket('room', 'create a room'), made.bucket('join', 'join or leave rooms'))
    typing = Typing(store, bus, settings, clock, made.bucket('typing', 'type'))
    bus.subscribe(typing.forget)  # membership and role changes end reused typing checks
    sessions = Sessions(store, bus, settings)
    hasher = password_hasher or PasswordHasher()
    slots = settings.hash_slots or default_slots(hasher.parallelism)
    sign_in = SignInLimits(
        by_pair=made.lockout('pair', limits.signin_free),
        by_address=made.lockout('address', limits.signin_free_per_address),
        by_user=made.lockout('user', limits.signin_free_per_user),
        ok_by_user=made.bucket('signin_ok', 'sign in'),
        ok_by_address=made.bucket('signin_ok_address', 'sign in'))
    accounts = Accounts(store, rooms, hasher, sessions=sessions, sign_in=sign_in,
                        sign_up_limit=made.bucket('signup', 'create an account'),
                        gate=HashGate(slots, settings.hash_queue), devices=DeviceCookies(secret))
    uploads = Uploads(store, bus, blob_store(settings), settings, typing, made.bucket('upload', 'post files'))
    bus.subscribe(uploads.message_deleted)  # a deleted message's file goes (when no other message uses it)
    return Services(
        settings=settings, store=store, bus=bus, rooms=rooms, typing=typing, accounts=accounts, sessions=sessions,
        membership=Membership(store, bus, made.bucket('moderate', 'invite, remove or ban')),
        conversations=Conversations(store, bus, made.bucket('conversation', 'start a conversation')),
        messages=Messages(store, bus, settings, typing, made.bucket('message', 'send')), limits=made,
        presence=presence, search=Search(store, made.bucket('search', 'search')),
        reads=Reads(store, bus, settings, made.bucket('read', 'mark messages read')),
        reactions=Reactions(store, bus, made.bucket('react', 'react')),
        uploads=uploads,
    )


def blob_store(settings: Settings) -> BlobStore:
    """Where files go: an S3-compatible bucket with CHAT_FILES_URL=s3://..., a directory every instance mounts with
    CHAT_FILES_URL=file:///path, else <data dir>/files."""
    if settings.files_url and settings.files_url.startswith('file:///'):
        return LocalBlobStore(Path(unquote(settings.files_url[len('file://'):])))
    if settings.files_url:
        return S3BlobStore(parse_s3_url(settings.files_url))
    return LocalBlobStore(settings.data_dir / 'files')


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
