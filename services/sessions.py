"""Server-side sessions: a random token in the client's cookie, only its SHA-256 in the store.

A new token at every sign-in (no fixation); a session ends when its owner signs out (this browser
or everywhere), changes their password (every other session), or after `session_idle` without use
or `session_max_age` after sign-in. Every end publishes SessionsEnded after the commit, so each open
page of that session, on any instance, goes to /login at once.

The browser signs in over its page's socket, where no cookie can be set: the page gets a one-time
ticket (single use, a minute, bound to the browser that asked for it) and opens an HTTP route that
swaps it for the session cookie.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .bus.base import Bus
from .config import Settings
from .events import SessionsEnded
from .models import AuthSession, User
from .store.base import Store

log = logging.getLogger(__name__)
Now = Callable[[], datetime]
TICKET_TTL = timedelta(seconds=60)
TOUCH_EVERY = timedelta(minutes=5)  # last_seen is written at most this often per session
PURGE_EVERY = 3600.0  # seconds between purges of expired rows
MAX_TOKEN = 128


def _utcnow() -> datetime:
    return datetime.now(UTC)


def session_id(token: str) -> str:
    """The store's id for a token (the token itself is never stored)."""
    return hashlib.sha256(token.encode('utf-8', 'surrogatepass')).hexdigest()


def binding_of(browser_id: str | None) -> str:
    """What a ticket is bound to: a hash of the browser's id ('' when the browser has none)."""
    return hashlib.sha256(browser_id.encode('utf-8', 'surrogatepass')).hexdigest() if browser_id else ''


class Sessions:
    def __init__(self, store: Store, bus: Bus, settings: Settings, now: Now = _utcnow) -> None:
        self._store = store
        self._bus = bus
        self._idle = timedelta(seconds=settings.session_idle)
        self._max_age = timedelta(seconds=settings.session_max_age)
        self._now = now
        self._purger: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Purge what expired while the process was down, then every hour."""
        await self.purge()
        self._purger = asyncio.create_task(self._purge_forever(), name='purge sessions')

    async def close(self) -> None:
        if self._purger is not None:
            self._purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purger
            self._purger = None

    async def create(self, user: User) -> tuple[str, AuthSession]:
        """A new session for `user`: (the token for the cookie, the session)."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        session = AuthSession(session_id(token), user.id, 'session', now, now, now + self._max_age)
        await self._store.create_session(session)
        return token, session

    async def issue_ticket(self, user: User, binding: str = '') -> str:
        """A one-time ticket, valid for a minute, that the browser with `binding` swaps for a session."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        await self._store.create_session(AuthSession(session_id(token), user.id, 'ticket', now, now,
                                                     now + TICKET_TTL, binding))
        return token

    async def redeem_ticket(self, ticket: object, binding: str = '') -> tuple[str, AuthSession] | None:
        """Swap a ticket for a new session: (token, session), or None if it is unknown, used, expired or
        was issued to another browser. The ticket is gone either way (single use)."""
        if not isinstance(ticket, str) or not 0 < len(ticket) <= MAX_TOKEN:
            return None
        taken = await self._store.take_session(session_id(ticket))
        if taken is None or taken.kind != 'ticket' or taken.expires_at <= self._now() or \
                not secrets.compare_digest(taken.binding, binding):
            return None
        user = await self._store.get_user(taken.user_id)
        if user is None:
            return None
        return await self.create(user)

    async def resolve(self, token: object) -> AuthSession | None:
        """The live session of a cookie's token, or None. Renews its idle expiry (written at most every 5 min)."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
            return None
        session = await self._store.get_session(session_id(token))
        if session is None or session.kind != 'session':
            return None
        now = self._now()
        if session.expires_at <= now or session.last_seen_at + self._idle <= now:
            await self._ended(await self._store.take_session(session.id))
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            await self._store.touch_session(session.id, now)
        return session

    async def alive(self, session_id_: str) -> bool:
        """Whether the session with this id still exists (a page checks once after subscribing to its end)."""
        session = await self._store.get_session(session_id_)
        return session is not None and session.kind == 'session' and session.expires_at > self._now()

    async def seen(self, session_id_: str) -> None:
        """An open page of the session is in use: renew its idle expiry (a tab left open for weeks stays
        signed in, up to the absolute limit)."""
        await self._store.touch_session(session_id_, self._now())

    async def end(self, session_id_: str) -> bool:
        """Sign out the session with this id: every page of it goes to /login. False if it was gone already."""
        taken = await self._store.take_session(session_id_)
        await self._ended(taken)
        return taken is not None and taken.kind == 'session'

    async def end_all(self, user_id: int, except_id: str | None = None) -> int:
        """End every session of a user (but `except_id`): "Sign out everywhere", a password change. How many."""
        ended = await self._store.delete_user_sessions(user_id, except_id)
        if ended:
            await self._bus.publish(SessionsEnded(user_id, tuple(ended)))
        return len(ended)

    async def purge(self) -> int:
        """Delete expired sessions and tickets; the pages of expired sessions are told. How many."""
        now = self._now()
        gone = await self._store.purge_sessions(now, now - self._idle)
        by_user: dict[int, list[str]] = {}
        for user_id, sid in gone:
            by_user.setdefault(user_id, []).append(sid)
        for user_id, ids in by_user.items():
            await self._bus.publish(SessionsEnded(user_id, tuple(ids)))
        return len(gone)

    async def _ended(self, session: AuthSession | None) -> None:
        if session is not None and session.kind == 'session':
            await self._bus.publish(SessionsEnded(session.user_id, (session.id,)))

    async def _purge_forever(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY)
            try:
                await self.purge()
            except Exception:  # a database hiccup must not end the purging for good
                log.exception('purging expired sessions failed; trying again in an hour')
