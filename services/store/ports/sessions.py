"""Server-side sessions and one-time sign-in tickets (hostile-auth)."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ...models import AuthSession


class SessionStore(Protocol):
    async def create_session(self, session: AuthSession) -> None:
        """Insert a session or ticket row (its id is the hash of a fresh random token: never taken)."""

    async def get_session(self, session_id: str) -> AuthSession | None: ...

    async def touch_session(self, session_id: str, last_seen_at: datetime) -> None:
        """Record use of a session (renews its idle expiry); an unknown id changes nothing."""

    async def take_session(self, session_id: str) -> AuthSession | None:
        """Delete the row and return it, atomically: of two concurrent takers only one gets it (single use)."""

    async def delete_user_sessions(self, user_id: int, except_id: str | None = None) -> list[str]:
        """Delete every session (not ticket) of a user but `except_id`; the ids deleted."""

    async def purge_sessions(self, now: datetime, idle_before: datetime) -> list[tuple[int, str]]:
        """Delete rows past `expires_at`, and sessions last seen before `idle_before`; (user id, id) of each."""
