"""The attention part of the SQL store, mixed into SQLAlchemyStore: read positions, unread and mention counts,
receipts, muted conversations (ports/reads.py). Also the helpers that set a position inside other writes."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Integer, case, literal, select, text, true, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import NotFound
from ..models import UNREAD_CAP, ReadState, Receipt
from .sql_core import SQLCore
from .sql_rows import _now
from .tables import UTCDateTime, memberships, mentions, read_positions, rooms, users

BATCH_ROWS = 400  # entries per statement (SQLite allows 500 SELECTs in one UNION ALL)


def _upsert(conn: AsyncConnection) -> Any:
    return (postgresql if conn.dialect.name == 'postgresql' else sqlite).insert(read_positions)


async def set_position(conn: AsyncConnection, room_id: int, user_ids: Iterable[int], seq: int) -> None:
    """Put these users' positions in the room at `seq`, whatever they were: a new member has read everything
    already there; an author their own message."""
    rows = [{'room_id': room_id, 'user_id': uid, 'last_read_seq': seq, 'updated_at': _now()} for uid in user_ids]
    if not rows:
        return
    statement = _upsert(conn)
    statement = statement.on_conflict_do_update(
        index_elements=[read_positions.c.room_id, read_positions.c.user_id],
        set_={'last_read_seq': statement.excluded.last_read_seq, 'updated_at': statement.excluded.updated_at})
    await conn.execute(statement, rows)


async def join_position(conn: AsyncConnection, room_id: int, user_id: int) -> None:
    """A new member's position: the room's last seq (in the transaction that adds the membership)."""
    last = (await conn.execute(select(rooms.c.last_seq).where(rooms.c.id == room_id))).scalar_one()
    await set_position(conn, room_id, [user_id], last)


async def add_mentions(conn: AsyncConnection, room_id: int, seq: int, user_ids: Sequence[int]) -> None:
    if user_ids:
        await conn.execute(mentions.insert(), [{'room_id': room_id, 'seq': seq, 'user_id': uid}
                                               for uid in dict.fromkeys(user_ids)])


# One row per membership of :user: its position, mute flag and the two counts, each stopped at :cap by a LIMIT
# inside (both walk an index from the position on: messages (room_id, seq), mentions (user_id, room_id, seq)).
_STATES = f"""
SELECT m.room_id AS room_id, COALESCE(p.last_read_seq, 0) AS last_read_seq, m.muted AS muted,
  (SELECT r.last_seq FROM rooms r WHERE r.id = m.room_id) AS last_seq,
  (SELECT count(*) FROM (SELECT 1 FROM messages x
     WHERE x.room_id = m.room_id AND x.seq > COALESCE(p.last_read_seq, 0) AND x.kind = 'text'
       AND x.deleted = false AND x.author_id <> m.user_id LIMIT {UNREAD_CAP}) AS u) AS unread,
  (SELECT count(*) FROM (SELECT 1 FROM mentions n JOIN messages x ON x.room_id = n.room_id AND x.seq = n.seq
     WHERE n.user_id = m.user_id AND n.room_id = m.room_id AND n.seq > COALESCE(p.last_read_seq, 0)
       AND x.deleted = false LIMIT {UNREAD_CAP}) AS n) AS mentions
FROM memberships m LEFT JOIN read_positions p ON p.room_id = m.room_id AND p.user_id = m.user_id
WHERE m.user_id = :user"""


async def read_states(conn: AsyncConnection, user_id: int, room_ids: Collection[int] | None = None,
                      ) -> dict[int, ReadState]:
    if room_ids is not None and not room_ids:
        return {}
    params: dict[str, Any] = {'user': user_id}
    query = _STATES
    if room_ids is not None:
        names = [f'r{i}' for i in range(len(room_ids))]
        query += f" AND m.room_id IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, room_ids, strict=True))
    rows = (await conn.execute(text(query), params)).all()
    return {int(r.room_id): ReadState(int(r.room_id), int(r.last_read_seq), int(r.unread), int(r.mentions),
                                      bool(r.muted), int(r.last_seq)) for r in rows}


class ReadRows(SQLCore):
    async def mark_read(self, room_id: int, user_id: int, seq: int) -> ReadState | None:
        """One upsert from the membership (none: not a member) that only moves forward, then the new state."""
        target = case((rooms.c.last_seq < seq, rooms.c.last_seq), else_=seq)
        async with self._write() as conn:
            moved = await self._move(conn, select(memberships.c.room_id, memberships.c.user_id, target)
                                     .join(rooms, rooms.c.id == memberships.c.room_id)
                                     .where(memberships.c.room_id == room_id, memberships.c.user_id == user_id))
            state = (await read_states(conn, user_id, [room_id])).get(room_id) if moved else None
        if not moved and (not_found := await self._missing(room_id)) is not None:
            raise not_found
        return state

    async def mark_reads(self, entries: Sequence[tuple[int, int, int]]) -> list[tuple[int, ReadState]]:
        """One transaction for the lot, upserts only (as mark_read: SQLite's one writer, and the messages being
        posted, wait for nothing else), then the states of those that moved, read after the commit (one query per
        user)."""
        if not entries:
            return []
        moved: dict[int, list[int]] = {}  # user id -> rooms moved
        async with self._write() as conn:
            for start in range(0, len(entries), BATCH_ROWS):  # one statement per BATCH_ROWS entries
                wanted = union_all(*(select(literal(room_id, BigInteger).label('room_id'),
                                            literal(user_id, BigInteger).label('user_id'),
                                            literal(seq, Integer).label('seq'))
                                     for room_id, user_id, seq in entries[start:start + BATCH_ROWS])).subquery('wanted')
                target = case((rooms.c.last_seq < wanted.c.seq, rooms.c.last_seq), else_=wanted.c.seq)
                members = wanted.join(memberships, (memberships.c.room_id == wanted.c.room_id)
                                      & (memberships.c.user_id == wanted.c.user_id))
                for room_id, user_id in await self._move_rows(conn, select(
                        memberships.c.room_id, memberships.c.user_id, target)
                        .select_from(members.join(rooms, rooms.c.id == memberships.c.room_id)).where(true())):
                    moved.setdefault(user_id, []).append(room_id)
        states: list[tuple[int, ReadState]] = []
        async with self._engine.connect() as conn:
            for user_id, room_ids in moved.items():
                found = await read_states(conn, user_id, room_ids)
                states += [(user_id, found[room_id]) for room_id in room_ids if room_id in found]
        return states

    async def mark_all_read(self, user_id: int) -> list[ReadState]:
        async with self._write() as conn:
            moved = await self._move(conn, select(memberships.c.room_id, memberships.c.user_id, rooms.c.last_seq)
                                     .join(rooms, rooms.c.id == memberships.c.room_id)
                                     .where(memberships.c.user_id == user_id))
            states = await read_states(conn, user_id, moved)
        return [states[room_id] for room_id in sorted(states)]

    async def _move(self, conn: AsyncConnection, source: Any) -> list[int]:
        """Upsert (room_id, user_id, seq) rows of `source` where that moves a position forward: the rooms moved."""
        return [room_id for room_id, _ in await self._move_rows(conn, source)]

    async def _move_rows(self, conn: AsyncConnection, source: Any) -> list[tuple[int, int]]:
        """As _move: the (room_id, user_id) pairs moved."""
        statement = _upsert(conn).from_select(['room_id', 'user_id', 'last_read_seq', 'updated_at'],
                                              source.add_columns(literal(_now(), UTCDateTime())))
        statement = statement.on_conflict_do_update(
            index_elements=[read_positions.c.room_id, read_positions.c.user_id],
            set_={'last_read_seq': statement.excluded.last_read_seq, 'updated_at': statement.excluded.updated_at},
            where=read_positions.c.last_read_seq < statement.excluded.last_read_seq)
        rows = (await conn.execute(statement.returning(read_positions.c.room_id, read_positions.c.user_id,
                                                       read_positions.c.last_read_seq))).all()
        return [(int(r.room_id), int(r.user_id)) for r in rows if r.last_read_seq > 0]  # a missing row was 0 already

    async def read_states(self, user_id: int, room_id: int | None = None) -> dict[int, ReadState]:
        async with self._engine.connect() as conn:
            return await read_states(conn, user_id, None if room_id is None else [room_id])

    async def receipts(self, room_id: int) -> list[Receipt]:
        statement = (select(users.c.id, users.c.username, read_positions.c.last_read_seq)
                     .select_from(memberships.join(users, users.c.id == memberships.c.user_id)
                                  .join(read_positions, (read_positions.c.room_id == memberships.c.room_id)
                                        & (read_positions.c.user_id == memberships.c.user_id)))
                     .where(memberships.c.room_id == room_id, users.c.send_receipts.is_(True),
                            read_positions.c.last_read_seq > 0)
                     .order_by(self._by_code_point(users.c.username)))
        rows = await self._rows_of_room(statement, room_id)
        return [Receipt(int(r.id), r.username, int(r.last_read_seq)) for r in rows]

    async def set_send_receipts(self, user_id: int, on: bool) -> None:
        async with self._write() as conn:
            result = await conn.execute(update(users).where(users.c.id == user_id).values(send_receipts=on))
        if result.rowcount == 0:
            raise NotFound('No such user')

    async def sends_receipts(self, user_id: int) -> bool:
        rows = await self._read(select(users.c.send_receipts).where(users.c.id == user_id))
        return bool(rows and rows[0].send_receipts)

    async def set_muted(self, room_id: int, user_id: int, muted: bool) -> bool:
        async with self._write() as conn:
            changed = (await conn.execute(update(memberships).where(
                memberships.c.room_id == room_id, memberships.c.user_id == user_id, memberships.c.muted != muted)
                .values(muted=muted).returning(memberships.c.user_id))).first()
        if changed is None and (not_found := await self._missing(room_id)) is not None:
            raise not_found
        return changed is not None

    async def members_named(self, room_id: int, lower_names: Collection[str]) -> dict[str, int]:
        if not lower_names:
            return {}
        statement = (select(users.c.username_lower, users.c.id)
                     .join(memberships, memberships.c.user_id == users.c.id)
                     .where(memberships.c.room_id == room_id, users.c.username_lower.in_(list(lower_names))))
        return {r.username_lower: int(r.id) for r in await self._read(statement)}
