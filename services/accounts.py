"""Accounts: sign up, sign in, change password. Hashing runs in worker threads through a bounded gate.

Sign-in attempts are counted before the password is hashed, in one atomic step per key
(services/signin.py says which keys and why). Sign-up counts per address before the name is looked
up, so taken names cannot be probed without limit. `address` is what the page saw as the peer:
behind a reverse proxy that is the proxy unless its forwarded headers are trusted.
"""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import validation
from .devices import DeviceCookies
from .errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from .hashing import HashGate
from .models import User
from .ratelimit import Limiter, Lockout, NoLimit, address_key
from .rooms import GENERAL, Rooms
from .sessions import Sessions
from .signin import SignInGuard, SignInLimits
from .store.base import Store

WRONG = 'Wrong username or password'
WRONG_CURRENT = 'Your current password is not right.'


class Accounts:
    def __init__(self, store: Store, rooms: Rooms, hasher: PasswordHasher | None = None, *,
                 sessions: Sessions, sign_up_limit: Limiter | None = None, sign_in: SignInLimits | None = None,
                 gate: HashGate | None = None, devices: DeviceCookies | None = None) -> None:
        self._store = store
        self._rooms = rooms
        self._sessions = sessions
        self._sign_up_limit = sign_up_limit if sign_up_limit is not None else NoLimit()
        self._guard = SignInGuard(sign_in)
        self._gate = gate or HashGate()
        self._devices = devices or DeviceCookies()
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's current defaults
        self._dummy_hash: str | None = None

    def close(self) -> None:
        self._gate.close()

    @property
    def password_lockout(self) -> Lockout:
        return self._guard.limits.by_pair

    async def sign_up(self, username: str, password: str, address: str | None = None) -> User:
        """Create an account and join `general`. Conflict 'That username is taken'.

        RateLimited past the per-address limit (no address: no limit), counted before the name is looked
        up, so that "taken" answers are limited too; refused input does not count.
        """
        name = validation.new_username(username)  # not a reserved word
        secret = validation.password(password)
        where = address_key(address)
        if where is not None:
            await self._sign_up_limit.check(where)
        if await self._store.get_credentials(name) is not None:
            raise Conflict('That username is taken')  # before hashing: do not burn CPU on a lost cause
        password_hash = await self._gate.run(self._hasher.hash, secret)
        user = await self._store.create_user(name, password_hash)  # still raises Conflict on a race
        general = await self._store.get_room_by_name(GENERAL)
        if general is not None:
            await self._rooms.join(user, general.id)
        return user

    async def sign_in(self, username: str, password: str, address: str | None = None,
                      device: str | None = None) -> User:
        """The user whose credentials these are, or AuthenticationFailed 'Wrong username or password'.

        `device` is the browser's device cookie, if any (see device_cookie). RateLimited 'Too many
        sign-in attempts ...' while a key of this attempt is locked, ServerBusy when too many passwords
        are being checked: both before any hashing.
        """
        where = address_key(address)
        try:
            name: str | None = validation.username(username)
        except ValidationError:
            name = None
        known = self._devices.verify(device, name) if name is not None else None
        admission = await self._guard.admit(name, where, known)
        try:
            if name is None:
                raise AuthenticationFailed(WRONG)
            user = await self._verified(name, validation.password(password))
        except (AuthenticationFailed, ValidationError):
            await admission.failed()
            raise AuthenticationFailed(WRONG) from None
        except BaseException:  # busy, cancelled: no password was checked, nothing counts
            await admission.cancelled()
            raise
        await admission.succeeded()
        return user

    def device_cookie(self, user: User) -> str:
        """A new device cookie value for a browser where `user` just signed in."""
        return self._devices.issue(user.username)

    async def change_password(self, user: User, current: str, new: str, keep_session: str | None = None) -> int:
        """Check the current password, store the new one and end every other session; how many ended.

        AuthenticationFailed 'Your current password is not right.' (counted like sign-in attempts),
        ValidationError for a new password that breaks the rules.
        """
        secret = validation.password(new)
        key = ('password-change', user.id)
        await self.password_lockout.attempt(key)
        try:
            await self._verified(user.username, validation.password(current))
        except (AuthenticationFailed, ValidationError):
            raise AuthenticationFailed(WRONG_CURRENT) from None
        except BaseException:
            await self.password_lockout.release(key)
            raise
        await self.password_lockout.succeeded(key)
        await self._store.set_password_hash(user.id, await self._gate.run(self._hasher.hash, secret))
        return await self._sessions.end_all(user.id, except_id=keep_session)

    async def _verified(self, name: str, secret: str) -> User:
        found = await self._store.get_credentials(name)
        if found is None:
            # Spend the same time as a real check so response timing does not reveal which names exist.
            await self._gate.run(self._verify, await self._dummy(), secret)
            raise AuthenticationFailed(WRONG)
        user, password_hash = found
        if not await self._gate.run(self._verify, password_hash, secret):
            raise AuthenticationFailed(WRONG)
        if self._hasher.check_needs_rehash(password_hash):
            new_hash = await self._gate.run(self._hasher.hash, secret)
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
            self._dummy_hash = await self._gate.run(self._hasher.hash, 'not-a-real-password')
        return self._dummy_hash
