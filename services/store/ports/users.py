"""Accounts in the store: users and their password hashes."""
from __future__ import annotations

from typing import Protocol

from ...models import User


class UserStore(Protocol):
    async def create_user(self, username: str, password_hash: str) -> User:
        """Insert a user; raise Conflict if the name is taken (case-insensitively).

        The first user of an empty store is the site's administrator (`is_admin`), also when two sign up
        at the same moment: exactly one of them is.
        """

    async def get_user(self, user_id: int) -> User | None: ...

    async def get_user_by_name(self, username: str) -> User | None:
        """The user with that name, looked up case-insensitively."""

    async def get_credentials(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, looked up case-insensitively."""

    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    async def find_users(self, prefix: str, limit: int) -> list[User]:
        """At most `limit` users whose name starts with `prefix` (case-insensitively), by name (code point)."""
