"""The SQL store: SQLAlchemy 2 async Core, the same code on SQLite (aiosqlite) and PostgreSQL (asyncpg)."""
from __future__ import annotations

import asyncio
import contextlib
import html as html_lib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, exists, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.sql import ColumnElement

from ..errors import Conflict, Forbidden, NotFound
from ..models import Message, MessageKind, Room, User
from .migrate import upgrade_head
from .sql_rows import _MESSAGE, _ROOM, _USER, _message, _now, _room, _user
from .tables import memberships, messages, rooms, users


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ('journal_mode=WAL', 'synchronous=NORMAL', 'foreign_keys=ON', 'busy_timeout=5000'):
        cursor.execute(f'PRAGMA {pragma}')
    cursor.close()


class SQLAlchemyStore:
    """Every public method is one transaction. On SQLite one asyncio.Lock serialises the writers of this
    process (SQLite allows one writer anyway; queuing here avoids 'database is locked'); reads run freely."""

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
        if room_id is not None and not await self._read(select(rooms.c.id).where(rooms.c.id == room_id)):
            return NotFound('That room does not exist')
        if user_id is not None and not await self._read(select(users.c.id).where(users.c.id == user_id)):
            return NotFound('No such user')
        return None

    # accounts
    async def create_user(self, username: str, password_hash: str) -> User:
        """Insert a user; Conflict if the name is taken case-insensitively."""
        try:
            async with self._write() as conn:
                row = (await conn.execute(insert(users).values(
                    username=username, username_lower=username.lower(), password_hash=password_hash,
                    created_at=_now()).returning(users.c.id, users.c.username, users.c.created_at))).one()
        except IntegrityError:
            raise Conflict('That username is taken') from None
        return _user(row)

    async def get_user(self, user_id: int) -> User | None:
        rows = await self._read(_USER.where(users.c.id == user_id))
        return _user(rows[0]) if rows else None

    async def get_credentials(self, username: str) -> tuple[User, str] | None:
        rows = await self._read(_USER.add_columns(users.c.password_hash)
                                .where(users.c.username_lower == username.lower()))
        return (_user(rows[0]), rows[0].password_hash) if rows else None

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        async with self._write() as conn:
            result = await conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
        if result.rowcount == 0:
            raise NotFound('No such user')

    # rooms
    async def create_room(self, name: str, topic: str, creator_id: int | None) -> Room:
        """Insert a room with its creator as first member; Conflict if the name is taken."""
        try:
            async with self._write() as conn:
                now = _now()
                room_id = (await conn.execute(insert(rooms).values(
                    name=name, name_lower=name.lower(), topic=topic, created_by=creator_id, created_at=now,
                ).returning(rooms.c.id))).scalar_one()
                if creator_id is not None:
                    await conn.execute(insert(memberships).values(room_id=room_id, user_id=creator_id, joined_at=now))
                row = (await conn.execute(_ROOM.where(rooms.c.id == room_id))).one()
        except IntegrityError:
            if await self.get_room_by_name(name) is not None:
                raise Conflict('A room with that name exists') from None
            if (missing := await self._missing(user_id=creator_id)) is not None:
                raise missing from None
            raise
        return _room(row)

    async def get_room(self, room_id: int) -> Room | None:
        rows = await self._read(_ROOM.where(rooms.c.id == room_id))
        return _room(rows[0]) if rows else None

    async def get_room_by_name(self, name: str) -> Room | None:
        rows = await self._read(_ROOM.where(rooms.c.name_lower == name.lower()))
        return _room(rows[0]) if rows else None

    async def set_topic(self, room_id: int, topic: str) -> Room:
        async with self._write() as conn:
            await conn.execute(update(rooms).where(rooms.c.id == room_id).values(topic=topic))
            row = (await conn.execute(_ROOM.where(rooms.c.id == room_id))).one_or_none()
        if row is None:
            raise NotFound('That room does not exist')
        return _room(row)

    async def list_rooms(self, query: str, limit: int, offset: int) -> list[Room]:
        """Public rooms whose name contains `query` (case-insensitively), by name."""
        statement = (_ROOM.where(rooms.c.is_public, rooms.c.name_lower.contains(query.lower(), autoescape=True))
                     .order_by(self._by_code_point(rooms.c.name_lower)).limit(max(limit, 0)).offset(max(offset, 0)))
        return [_room(row) for row in await self._read(statement)]

    async def rooms_of(self, user_id: int) -> list[Room]:
        statement = (_ROOM.join(memberships, memberships.c.room_id == rooms.c.id)
                     .where(memberships.c.user_id == user_id).order_by(self._by_code_point(rooms.c.name_lower)))
        return [_room(row) for row in await self._read(statement)]

    async def is_member(self, room_id: int, user_id: int) -> bool:
        return bool(await self._read(select(memberships.c.room_id).where(
            memberships.c.room_id == room_id, memberships.c.user_id == user_id)))

    async def members(self, room_id: int) -> list[User]:
        statement = (_USER.join(memberships, memberships.c.user_id == users.c.id)
                     .where(memberships.c.room_id == room_id).order_by(self._by_code_point(users.c.username)))
        return [_user(row) for row in await self._rows_of_room(statement, room_id)]

    async def _rows_of_room(self, statement: Any, room_id: int) -> list[Any]:
        """The rows of a read about one room; NotFound (instead of no rows) when the room does not exist."""
        rows = await self._read(statement)
        if not rows and (missing := await self._missing(room_id)) is not None:
            raise missing
        return rows

    async def join(self, room_id: int, user_id: int, notice: str) -> Message | None:
        """Add the membership and its 'join' notice in one transaction; None if already a member."""
        try:
            async with self._write() as conn:
                if await self._membership(conn, room_id, user_id):
                    return None
                await conn.execute(insert(memberships).values(room_id=room_id, user_id=user_id, joined_at=_now()))
                return await self._append(conn, room_id, user_id, notice, html_lib.escape(notice), None, 'join')
        except IntegrityError:
            if await self.is_member(room_id, user_id):  # a concurrent join won
                return None
            if (missing := await self._missing(room_id, user_id)) is not None:
                raise missing from None
            raise

    async def leave(self, room_id: int, user_id: int, notice: str) -> Message | None:
        """Remove the membership and append its 'leave' notice in one transaction; None if not a member."""
        async with self._write() as conn:
            result = await conn.execute(delete(memberships).where(
                memberships.c.room_id == room_id, memberships.c.user_id == user_id))
            if result.rowcount:
                return await self._append(conn, room_id, user_id, notice, html_lib.escape(notice), None, 'leave')
        if (missing := await self._missing(room_id)) is not None:
            raise missing
        return None

    @staticmethod
    async def _membership(conn: AsyncConnection, room_id: int, user_id: int) -> bool:
        return (await conn.execute(select(memberships.c.room_id).where(
            memberships.c.room_id == room_id, memberships.c.user_id == user_id))).first() is not None

    # messages
    async def _append(self, conn: AsyncConnection, room_id: int, author_id: int, body: str, html: str,
                      client_id: str | None, kind: MessageKind) -> Message:
        # The UPDATE takes the room row's lock (PostgreSQL), so concurrent appends queue per room and seqs stay dense.
        seq = (await conn.execute(update(rooms).where(rooms.c.id == room_id)
                                  .values(last_seq=rooms.c.last_seq + 1).returning(rooms.c.last_seq))).scalar()
        if seq is None:
            raise NotFound('That room does not exist')
        message_id = (await conn.execute(insert(messages).values(
            room_id=room_id, seq=seq, author_id=author_id, body=body, html=html,
            client_id=client_id if client_id is not None else f'{kind}:{seq}',  # ':' is outside the client charset
            kind=kind, created_at=_now(),
        ).returning(messages.c.id))).scalar_one()
        return _message((await conn.execute(_MESSAGE.where(messages.c.id == message_id))).one())

    async def _by_client(self, room_id: int, author_id: int, client_id: str) -> Message | None:
        rows = await self._read(_MESSAGE.where(messages.c.room_id == room_id, messages.c.author_id == author_id,
                                               messages.c.client_id == client_id))
        return _message(rows[0]) if rows else None

    async def post_message(self, room_id: int, author: User, body: str, html: str,
                           client_id: str) -> tuple[Message, bool]:
        """Two statements in the usual case: the seq bump (only if the author is a member) and the insert."""
        member = exists().where(memberships.c.room_id == room_id, memberships.c.user_id == author.id)
        created_at = _now()
        try:
            async with self._write() as conn:
                seq = (await conn.execute(update(rooms).where(rooms.c.id == room_id, member)
                                          .values(last_seq=rooms.c.last_seq + 1).returning(rooms.c.last_seq))).scalar()
                if seq is not None:
                    message_id = (await conn.execute(insert(messages).values(
                        room_id=room_id, seq=seq, author_id=author.id, body=body, html=html, client_id=client_id,
                        kind='text', created_at=created_at).returning(messages.c.id))).scalar_one()
        except IntegrityError:
            # the same client id again (a retry): the transaction, seq bump included, rolled back
            stored = await self._by_client(room_id, author.id, client_id)
            if stored is None:
                raise
            return stored, False
        if seq is None:
            if await self.get_room(room_id) is None:
                raise NotFound('That room does not exist')
            raise Forbidden('You are not a member of this room')
        return Message(id=message_id, room_id=room_id, seq=seq, author_id=author.id, author_name=author.username,
                       body=body, html=html, client_id=client_id, created_at=created_at, kind='text'), True

    async def latest(self, room_id: int, limit: int) -> list[Message]:
        """The newest `limit` messages, oldest first: walks the (room_id, seq) index backwards."""
        rows = await self._rows_of_room(_MESSAGE.where(messages.c.room_id == room_id)
                                        .order_by(messages.c.seq.desc()).limit(max(limit, 0)), room_id)
        return [_message(row) for row in reversed(rows)]

    async def before(self, room_id: int, before_seq: int, limit: int) -> list[Message]:
        rows = await self._rows_of_room(_MESSAGE.where(messages.c.room_id == room_id, messages.c.seq < before_seq)
                                        .order_by(messages.c.seq.desc()).limit(max(limit, 0)), room_id)
        return [_message(row) for row in reversed(rows)]

    async def after(self, room_id: int, after_seq: int, limit: int) -> list[Message]:
        rows = await self._rows_of_room(_MESSAGE.where(messages.c.room_id == room_id, messages.c.seq > after_seq)
                                        .order_by(messages.c.seq).limit(max(limit, 0)), room_id)
        return [_message(row) for row in rows]
