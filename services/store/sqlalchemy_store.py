"""The SQL store: SQLAlchemy 2 async Core, the same code on SQLite (aiosqlite) and PostgreSQL (asyncpg).

One class made of a part per capability of the port: users here, conversations (sql_conversations.py),
messages (sql_messages.py), search (sql_search.py), sessions (sql_sessions.py), on the engine and transactions
of sql_core.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound
from ..models import User
from .base import Store
from .sql_attachments import AttachmentRows
from .sql_conversations import ConversationRows
from .sql_messages import MessageRows
from .sql_reactions import ReactionRows
from .sql_reads import ReadRows
from .sql_rows import _USER, _now, _user
from .sql_search import SearchRows
from .sql_sessions import SessionRows
from .tables import users

FIRST_USER_LOCK = 0x61646D6E  # 'admn': taken (PostgreSQL) only while the users table is empty


class SQLAlchemyStore(ConversationRows, MessageRows, SearchRows, SessionRows, ReadRows, ReactionRows,
                      AttachmentRows):
    """Every public method is one transaction; `unit()` gives one for several writes (ports/conversations.py)."""

    # accounts
    async def create_user(self, username: str, password_hash: str) -> User:
        """Insert a user; Conflict if the name is taken case-insensitively. The first one is the administrator."""
        try:
            async with self._write() as conn:
                first = (await conn.execute(select(users.c.id).limit(1))).first() is None
                if first and not self._sqlite:  # (SQLite: the write lock already serialises sign-ups)
                    # two first sign-ups at once: the second waits here, then sees the first's committed row
                    await conn.execute(text('SELECT pg_advisory_xact_lock(:key)'), {'key': FIRST_USER_LOCK})
                    first = (await conn.execute(select(users.c.id).limit(1))).first() is None
                row = (await conn.execute(insert(users).values(
                    username=username, username_lower=username.lower(), password_hash=password_hash,
                    created_at=_now(), is_admin=first).returning(*_USER.selected_columns))).one()
        except IntegrityError:
            raise Conflict('That username is taken') from None
        return _user(row)

    async def get_user(self, user_id: int) -> User | None:
        rows = await self._read(_USER.where(users.c.id == user_id))
        return _user(rows[0]) if rows else None

    async def get_user_by_name(self, username: str) -> User | None:
        rows = await self._read(_USER.where(users.c.username_lower == username.lower()))
        return _user(rows[0]) if rows else None

    async def get_credentials(self, username: str) -> tuple[User, str] | None:
        rows = await self._read(_USER.add_columns(users.c.password_hash)
                                .where(users.c.username_lower == username.lower()))
        return (_user(rows[0]), rows[0].password_hash) if rows else None

    async def find_users(self, prefix: str, limit: int) -> list[User]:
        name = users.c.username_lower
        statement = (_USER.where(name.startswith(prefix.lower(), autoescape=True))
                     .order_by(self._by_code_point(name)).limit(max(limit, 0)))
        return [_user(row) for row in await self._read(statement)]

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        async with self._write() as conn:
            result = await conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
        if result.rowcount == 0:
            raise NotFound('No such user')


if TYPE_CHECKING:  # mypy checks here that the adapter implements the whole port
    _port: Store = SQLAlchemyStore('sqlite+aiosqlite://')
