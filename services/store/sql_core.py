"""The engine and transactions the SQL store's parts share (SQLite via aiosqlite, PostgreSQL via asyncpg)."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.sql import ColumnElement

from ..errors import NotFound
from .migrate import upgrade_head
from .tables import rooms, users


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ('journal_mode=WAL', 'synchronous=NORMAL', 'foreign_keys=ON', 'busy_timeout=5000'):
        cursor.execute(f'PRAGMA {pragma}')
    cursor.close()


def insert_or_skip(conn: AsyncConnection, table: Table) -> Any:
    """An INSERT that skips a row whose key exists (ON CONFLICT DO NOTHING): a lost race is no error, and the
    transaction (a unit of work on PostgreSQL) stays usable. Use `.returning()` to tell whether it inserted."""
    dialect = postgresql if conn.dialect.name == 'postgresql' else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


async def missing(conn: AsyncConnection, room_id: int | None = None, user_id: int | None = None) -> NotFound | None:
    """The NotFound for whichever id names nothing (the room first), or None."""
    if room_id is not None and (await conn.execute(select(rooms.c.id).where(rooms.c.id == room_id))).first() is None:
        return NotFound('That room does not exist')
    if user_id is not None and (await conn.execute(select(users.c.id).where(users.c.id == user_id))).first() is None:
        return NotFound('No such user')
    return None


class SQLCore:
    """Every public method of the store is one transaction. On SQLite one asyncio.Lock serialises the writers of
    this process (SQLite allows one writer anyway; queuing here avoids 'database is locked'); reads run freely."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self._url = make_url(url)
        self._sqlite = self._url.get_backend_name() == 'sqlite'
        self._engine = create_async_engine(url, **engine_options)
        if self._sqlite:
            event.listen(self._engine.sync_engine, 'connect', _sqlite_pragmas)
        self._write_lock = asyncio.Lock()

    async def start(self) -> None:
        """Create the SQLite file's directory if needed and run the migrations up to head."""
        if self._sqlite and self._url.database and self._url.database != ':memory:':
            Path(self._url.database).parent.mkdir(parents=True, exist_ok=True)
        await upgrade_head(self._engine)

    async def close(self) -> None:
        await self._engine.dispose()

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        lock = self._write_lock if self._sqlite else contextlib.nullcontext()
        async with lock, self._engine.begin() as conn:
            yield conn

    def _by_code_point(self, column: ColumnElement[str]) -> ColumnElement[str]:
        """Order names by code point, as SQLite and the in-memory store do, whatever the PostgreSQL database's
        collation (an English one would put 'ab' before 'a-c')."""
        return column if self._sqlite else column.collate('C')

    async def _read(self, statement: Any) -> list[Any]:
        async with self._engine.connect() as conn:
            return list((await conn.execute(statement)).all())

    async def _missing(self, room_id: int | None = None, user_id: int | None = None) -> NotFound | None:
        """The NotFound for whichever id names nothing (the room first), or None. Asked only after an empty
        answer or a refused write, so a normal call pays nothing for it."""
        async with self._engine.connect() as conn:
            return await missing(conn, room_id, user_id)

    async def _rows_of_room(self, statement: Any, room_id: int) -> list[Any]:
        """The rows of a read about one room; NotFound (instead of no rows) when the room does not exist."""
        rows = await self._read(statement)
        if not rows and (not_found := await self._missing(room_id)) is not None:
            raise not_found
        return rows
