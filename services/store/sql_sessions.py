"""The sessions part of the SQL store (hostile-auth), mixed into SQLAlchemyStore: same transactions, same engine."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound
from ..models import AuthSession
from .sql_core import SQLCore
from .tables import sessions, users

_SESSION = select(sessions.c.id, sessions.c.user_id, sessions.c.kind, sessions.c.created_at,
                  sessions.c.last_seen_at, sessions.c.expires_at, sessions.c.binding)


def _session(row: Any) -> AuthSession:
    return AuthSession(id=row.id, user_id=row.user_id, kind=row.kind, created_at=row.created_at,
                       last_seen_at=row.last_seen_at, expires_at=row.expires_at, binding=row.binding)


class SessionRows(SQLCore):
    async def create_session(self, session: AuthSession) -> None:
        try:
            async with self._write() as conn:
                await conn.execute(insert(sessions).values(
                    id=session.id, user_id=session.user_id, kind=session.kind, created_at=session.created_at,
                    last_seen_at=session.last_seen_at, expires_at=session.expires_at, binding=session.binding))
        except IntegrityError:
            if not await self._read(select(users.c.id).where(users.c.id == session.user_id)):
                raise NotFound('No such user') from None
            raise Conflict('That session exists') from None

    async def get_session(self, session_id: str) -> AuthSession | None:
        rows = await self._read(_SESSION.where(sessions.c.id == session_id))
        return _session(rows[0]) if rows else None

    async def touch_session(self, session_id: str, last_seen_at: datetime) -> None:
        async with self._write() as conn:
            await conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=last_seen_at))

    async def take_session(self, session_id: str) -> AuthSession | None:
        # DELETE ... RETURNING: the row goes to exactly one of two concurrent takers (SQLite 3.35+, PostgreSQL)
        async with self._write() as conn:
            row = (await conn.execute(delete(sessions).where(sessions.c.id == session_id).returning(
                *_SESSION.selected_columns))).one_or_none()
        return _session(row) if row is not None else None

    async def delete_user_sessions(self, user_id: int, except_id: str | None = None) -> list[str]:
        condition = and_(sessions.c.user_id == user_id, sessions.c.kind == 'session')
        if except_id is not None:
            condition = and_(condition, sessions.c.id != except_id)
        async with self._write() as conn:
            rows = (await conn.execute(delete(sessions).where(condition).returning(sessions.c.id))).all()
        return [row.id for row in rows]

    async def purge_sessions(self, now: datetime, idle_before: datetime) -> list[tuple[int, str]]:
        condition = or_(sessions.c.expires_at <= now,
                        and_(sessions.c.kind == 'session', sessions.c.last_seen_at < idle_before))
        async with self._write() as conn:
            rows = (await conn.execute(delete(sessions).where(condition)
                                       .returning(sessions.c.user_id, sessions.c.id))).all()
        return [(row.user_id, row.id) for row in rows]

