"""The conversations part of the SQL store, mixed into SQLAlchemyStore: rooms, direct messages, memberships,
roles, bans, and the unit of work for changes that span those tables."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import Conflict, NotFound
from ..models import Member, Message, Role, Room, Standing, User
from .sql_core import SQLCore, insert_or_skip, missing
from .sql_messages import append_message
from .sql_reads import join_position, set_position
from .sql_rows import _ROOM, _USER, _now, _room, _user
from .tables import bans, memberships, rooms, users


def _standing_query(room_id: int, user_id: int) -> Any:
    role = (select(memberships.c.role).where(memberships.c.room_id == room_id, memberships.c.user_id == user_id)
            .scalar_subquery())
    banned = exists().where(bans.c.room_id == room_id, bans.c.user_id == user_id)
    return select(role.label('role'), banned.label('banned'))


def _standing(row: Any) -> Standing:
    return Standing(role=row.role, banned=bool(row.banned))


class SQLUnit:
    """One transaction (the connection of `ConversationRows.unit`); see ports/conversations.py."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get_room(self, room_id: int) -> Room | None:
        # FOR UPDATE on the bare row (PostgreSQL refuses it next to the member count's aggregate; SQLite ignores it)
        lock = select(rooms.c.id).where(rooms.c.id == room_id).with_for_update()
        if (await self._conn.execute(lock)).first() is None:
            return None
        return _room((await self._conn.execute(_ROOM.where(rooms.c.id == room_id))).one())

    async def standing(self, room_id: int, user_id: int) -> Standing:
        return _standing((await self._conn.execute(_standing_query(room_id, user_id))).one())

    async def _require(self, room_id: int, user_id: int | None = None) -> None:
        if (not_found := await missing(self._conn, room_id, user_id)) is not None:
            raise not_found

    async def _changed(self, result: Any, room_id: int) -> Any:
        """The row a write returned; when none, NotFound if that is because the room does not exist."""
        row = result.first()
        if row is None:
            await self._require(room_id)
        return row

    async def add_member(self, room_id: int, user_id: int, role: Role = 'member') -> bool:
        await self._require(room_id, user_id)
        added = await self._conn.execute(insert_or_skip(self._conn, memberships).values(
            room_id=room_id, user_id=user_id, joined_at=_now(), role=role).returning(memberships.c.user_id))
        if added.first() is None:
            return False
        await join_position(self._conn, room_id, user_id)  # everything already there counts as read
        return True

    async def remove_member(self, room_id: int, user_id: int) -> Role | None:
        removed = await self._changed(await self._conn.execute(delete(memberships).where(
            memberships.c.room_id == room_id, memberships.c.user_id == user_id).returning(memberships.c.role)), room_id)
        return None if removed is None else removed.role

    async def set_role(self, room_id: int, user_id: int, role: Role) -> bool:
        changed = await self._conn.execute(update(memberships).where(
            memberships.c.room_id == room_id, memberships.c.user_id == user_id).values(role=role)
            .returning(memberships.c.user_id))
        return await self._changed(changed, room_id) is not None

    async def ban(self, room_id: int, user_id: int, by_id: int | None) -> bool:
        await self._require(room_id, user_id)
        added = await self._conn.execute(insert_or_skip(self._conn, bans).values(
            room_id=room_id, user_id=user_id, banned_by=by_id, banned_at=_now()).returning(bans.c.user_id))
        return added.first() is not None

    async def unban(self, room_id: int, user_id: int) -> bool:
        lifted = await self._conn.execute(delete(bans).where(bans.c.room_id == room_id, bans.c.user_id == user_id)
                                          .returning(bans.c.user_id))
        return await self._changed(lifted, room_id) is not None

    async def append_notice(self, room_id: int, author_id: int, kind: Literal['join', 'leave'], body: str,
                            html: str) -> Message:
        return await append_message(self._conn, room_id, author_id, body, html, None, kind)


class ConversationRows(SQLCore):
    @contextlib.asynccontextmanager
    async def unit(self) -> AsyncIterator[SQLUnit]:
        async with self._write() as conn:
            yield SQLUnit(conn)

    async def create_room(self, name: str, topic: str, creator_id: int | None,
                          kind: Literal['public', 'private'] = 'public') -> Room:
        """Insert a room with its creator as owner; Conflict if the name is taken."""
        try:
            async with self._write() as conn:
                now = _now()
                room_id = (await conn.execute(insert(rooms).values(
                    name=name, name_lower=name.lower(), topic=topic, created_by=creator_id, created_at=now, kind=kind,
                ).returning(rooms.c.id))).scalar_one()
                if creator_id is not None:
                    await conn.execute(insert(memberships).values(room_id=room_id, user_id=creator_id, joined_at=now,
                                                                  role='owner'))
                    await set_position(conn, room_id, [creator_id], 0)
                row = (await conn.execute(_ROOM.where(rooms.c.id == room_id))).one()
        except IntegrityError:
            if await self.get_room_by_name(name) is not None:
                raise Conflict('A room with that name exists') from None
            if (not_found := await self._missing(user_id=creator_id)) is not None:
                raise not_found from None
            raise
        return _room(row)

    async def create_direct(self, kind: Literal['dm', 'group'], member_ids: Sequence[int],
                            key: str | None) -> tuple[Room, bool]:
        try:
            async with self._write() as conn:
                now = _now()
                room_id = (await conn.execute(insert(rooms).values(
                    name='', name_lower=None, topic='', created_by=member_ids[0] if member_ids else None,
                    created_at=now, kind=kind, dm_key=key).returning(rooms.c.id))).scalar_one()
                for user_id in dict.fromkeys(member_ids):
                    await conn.execute(insert(memberships).values(room_id=room_id, user_id=user_id, joined_at=now))
                await set_position(conn, room_id, dict.fromkeys(member_ids), 0)
                row = (await conn.execute(_ROOM.where(rooms.c.id == room_id))).one()
        except IntegrityError:
            if key is not None and (rows := await self._read(_ROOM.where(rooms.c.dm_key == key))):
                return _room(rows[0]), False  # made before, or concurrently by the other person
            for user_id in member_ids:
                if (not_found := await self._missing(user_id=user_id)) is not None:
                    raise not_found from None
            raise
        return _room(row), True

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

    async def list_rooms(self, query: str, limit: int, offset: int, *, member_id: int | None = None,
                         every: bool = False) -> list[Room]:
        """Public rooms (and private ones of `member_id`, or all with `every`) whose name contains `query`, by name."""
        shown: Any = rooms.c.kind == 'public'
        if every:
            shown = rooms.c.kind.in_(('public', 'private'))
        elif member_id is not None:
            joined = exists().where(memberships.c.room_id == rooms.c.id, memberships.c.user_id == member_id)
            shown = or_(shown, and_(rooms.c.kind == 'private', joined))
        statement = (_ROOM.where(shown, rooms.c.name_lower.contains(query.lower(), autoescape=True))
                     .order_by(self._by_code_point(rooms.c.name_lower)).limit(max(limit, 0)).offset(max(offset, 0)))
        return [_room(row) for row in await self._read(statement)]

    async def rooms_of(self, user_id: int) -> list[Room]:
        # direct messages have no name_lower (NULL sorts first or last depending on the database): '' puts them first
        name = self._by_code_point(func.coalesce(rooms.c.name_lower, ''))
        statement = (_ROOM.join(memberships, memberships.c.room_id == rooms.c.id)
                     .where(memberships.c.user_id == user_id).order_by(name, rooms.c.id))
        return [_room(row) for row in await self._read(statement)]

    async def is_member(self, room_id: int, user_id: int) -> bool:
        return bool(await self._read(select(memberships.c.room_id).where(
            memberships.c.room_id == room_id, memberships.c.user_id == user_id)))

    async def standing(self, room_id: int, user_id: int) -> Standing:
        return _standing((await self._read(_standing_query(room_id, user_id)))[0])

    async def members(self, room_id: int) -> list[User]:
        statement = (_USER.join(memberships, memberships.c.user_id == users.c.id)
                     .where(memberships.c.room_id == room_id).order_by(self._by_code_point(users.c.username)))
        return [_user(row) for row in await self._rows_of_room(statement, room_id)]

    async def roster(self, room_id: int) -> list[Member]:
        statement = (_USER.add_columns(memberships.c.role).join(memberships, memberships.c.user_id == users.c.id)
                     .where(memberships.c.room_id == room_id).order_by(self._by_code_point(users.c.username)))
        return [Member(_user(row), row.role) for row in await self._rows_of_room(statement, room_id)]

    async def banned(self, room_id: int) -> list[User]:
        statement = (_USER.join(bans, bans.c.user_id == users.c.id)
                     .where(bans.c.room_id == room_id).order_by(self._by_code_point(users.c.username)))
        return [_user(row) for row in await self._rows_of_room(statement, room_id)]
