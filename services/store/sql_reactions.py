"""The reactions part of the SQL store, mixed into SQLAlchemyStore: one row per (message, user, emoji).

History reads add each message's reactions with one more query for the whole page (`reactions_of`), never one
per message; the message a reply answers is joined in the read itself (sql_rows._MESSAGE).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import Forbidden, NotFound, ValidationError
from ..models import Reaction
from .replies import aggregate
from .sql_core import SQLCore, insert_or_skip, missing
from .tables import messages, reactions, users


async def reactions_of(conn: AsyncConnection, message_ids: Iterable[int]) -> dict[int, tuple[Reaction, ...]]:
    """The reactions of these messages by message id (one query), each emoji in the order it was first used."""
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    rows = (await conn.execute(
        select(reactions.c.message_id, reactions.c.emoji, reactions.c.user_id, users.c.username)
        .join(users, users.c.id == reactions.c.user_id).where(reactions.c.message_id.in_(ids))
        .order_by(reactions.c.message_id, reactions.c.created_at, reactions.c.user_id, reactions.c.emoji))).all()
    found: dict[int, list[tuple[str, int, str]]] = {}
    for row in rows:
        found.setdefault(int(row.message_id), []).append((row.emoji, int(row.user_id), row.username))
    return {message_id: aggregate(rows_of) for message_id, rows_of in found.items()}


async def _message_of(conn: AsyncConnection, room_id: int, seq: int) -> tuple[int, str, bool]:
    """(id, kind, deleted) of the message at `seq`, its row locked on PostgreSQL; the NotFound when missing."""
    current = (await conn.execute(
        select(messages.c.id, messages.c.kind, messages.c.deleted)
        .where(messages.c.room_id == room_id, messages.c.seq == seq).with_for_update())).first()
    if current is None:
        not_found = await missing(conn, room_id, None)
        raise not_found if not_found is not None else NotFound('No such message')
    return int(current.id), str(current.kind), bool(current.deleted)


class ReactionRows(SQLCore):
    async def add_reaction(self, room_id: int, seq: int, user_id: int, emoji: str, at: datetime,
                           max_distinct: int) -> tuple[int, bool]:
        """Lock the message's row (PostgreSQL), check it and its distinct emoji, insert unless there: one
        transaction, so two racing adds of new emoji cannot pass the limit together."""
        try:
            async with self._write() as conn:
                message_id, kind, deleted = await _message_of(conn, room_id, seq)
                if kind != 'text':
                    raise Forbidden('Notices cannot be reacted to')
                if deleted:
                    raise Forbidden('That message was deleted')
                used = {row.emoji for row in await conn.execute(
                    select(reactions.c.emoji).where(reactions.c.message_id == message_id).distinct())}
                if emoji not in used and len(used) >= max_distinct:
                    raise ValidationError(f'A message can have at most {max_distinct} different reactions')
                added = (await conn.execute(insert_or_skip(conn, reactions).values(
                    message_id=message_id, user_id=user_id, emoji=emoji, created_at=at)
                    .returning(reactions.c.emoji))).first() is not None
        except IntegrityError:  # the only key it can break: the user's
            raise NotFound('No such user') from None
        return message_id, added

    async def remove_reaction(self, room_id: int, seq: int, user_id: int, emoji: str) -> tuple[int, bool]:
        async with self._write() as conn:
            message_id, _, _ = await _message_of(conn, room_id, seq)
            removed = (await conn.execute(
                delete(reactions).where(reactions.c.message_id == message_id, reactions.c.user_id == user_id,
                                        reactions.c.emoji == emoji).returning(reactions.c.emoji))).first()
        return message_id, removed is not None

    async def reactions_between(self, room_id: int, first_seq: int,
                                last_seq: int) -> dict[int, tuple[Reaction, ...]]:
        async with self._engine.connect() as conn:
            shown = (await conn.execute(
                select(messages.c.id, messages.c.seq).where(
                    messages.c.room_id == room_id, messages.c.seq >= first_seq, messages.c.seq <= last_seq)
                .where(messages.c.id.in_(select(reactions.c.message_id))))).all()
            if not shown and (not_found := await missing(conn, room_id, None)) is not None:
                raise not_found
            found = await reactions_of(conn, [row.id for row in shown])
        return {int(row.seq): found[row.id] for row in shown if row.id in found}
