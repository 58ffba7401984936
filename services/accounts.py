"""Accounts: sign up, sign in. Password hashing runs in a thread so the event loop never waits on argon2.

Sign-up is rate limited per client address; failed sign-ins lock the username and the address for a
growing time. `address` is what the page saw as the peer: behind a reverse proxy that is the proxy, so
all clients share one address there (run uvicorn with --proxy-headers and trusted forwarded IPs).
"""
from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import validation
from .errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from .models import User
from .ratelimit import Limiter, Lockout, NoLimit, address_key
from .rooms import GENERAL, Rooms
from .store.base import Store

WRONG = 'Wrong username or password'


class Accounts:
    def __init__(self, store: Store, rooms: Rooms, hasher: PasswordHasher | None = None, *,
                 sign_up_limit: Limiter | None = None, sign_in_by_name: Lockout | None = None,
                 sign_in_by_address: Lockout | None = None) -> None:
        self._store = store
        self._rooms = rooms
        self._sign_up_limit = sign_up_limit if sign_up_limit is not None else NoLimit()
        self._by_name = sign_in_by_name if sign_in_by_name is not None else NoLimit()
        self._by_address = sign_in_by_address if sign_in_by_address is not None else NoLimit()
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's current defaults
        self._dummy_hash: str | None = None

    async def sign_up(self, username: str, password: str, address: str | None = None) -> User:
        """Create an account and join `general`. Conflict 'That username is taken'.

        RateLimited past the per-address limit (no address: no limit); refused input does not count.
        """
        name = validation.username(username)
        secret = validation.password(password)
        if await self._store.get_credentials(name) is not None:
            raise Conflict('That username is taken')  # before hashing: do not burn CPU on a lost cause
        where = address_key(address)
        if where is not None:
            self._sign_up_limit.check(where)
        password_hash = await asyncio.to_thread(self._hasher.hash, secret)
        user = await self._store.create_user(name, password_hash)  # still raises Conflict on a race
        general = await self._store.get_room_by_name(GENERAL)
        if general is not None:
            await self._rooms.join(user, general.id)
        return user

    async def sign_in(self, username: str, password: str, address: str | None = None) -> User:
        """The user whose credentials these are, or AuthenticationFailed 'Wrong username or password'.

        After repeated failures for the username or the address: RateLimited 'Too many sign-in
        attempts ...' until the lockout ends, checked before the password so a locked attempt costs no hashing.
        """
        where = address_key(address)
        try:
            name: str | None = validation.username(username)
        except ValidationError:
            name = None
        if where is not None:
            self._by_address.check(where)
        if name is not None:
            self._by_name.check(name)
        try:
            if name is None:
                raise AuthenticationFailed(WRONG)
            user = await self._verified(name, validation.password(password))
        except (AuthenticationFailed, ValidationError):
            if where is not None:
                self._by_address.failed(where)
            if name is not None:
                self._by_name.failed(name)
            raise AuthenticationFailed(WRONG) from None
        # The address keeps its count: one good account must not wash out failures against others.
        self._by_name.succeeded(name)
        return user

    async def _verified(self, name: str, secret: str) -> User:
        found = await self._store.get_credentials(name)
        if found is None:
            # Spend the same time as a real check so response timing does not reveal which names exist.
            await asyncio.to_thread(self._verify, await self._dummy(), secret)
            raise AuthenticationFailed(WRONG)
        user, password_hash = found
        if not await asyncio.to_thread(self._verify, password_hash, secret):
            raise AuthenticationFailed(WRONG)
        if self._hasher.check_needs_rehash(password_hash):
            new_hash = await asyncio.to_thread(self._hasher.hash, secret)
            await self._store.set_password_hash(user.id, new_hash)
        return user

    async def get_user(self, user_id: int) -> User:
        """The user with this id, or NotFound."""
        user = await self._store.get_user(user_id)
        if user is None:
            raise NotFound('No such user')
        return user

    def _verify(self, password_hash: str, secret: str) -> bool:
        try:
            return self._hasher.verify(password_hash, secret)
        except (VerificationError, InvalidHashError):
            return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(self._hasher.hash, 'not-a-real-password')
        return self._dummy_hash
