"""The messages part of the SQL store, mixed into SQLAlchemyStore: the hot path (post), history reads, edits."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import Forbidden, NotFound
from ..models import Message, MessageKind, MessageVersion, ReplyRef, User
from .replies import reply_ref
from .sql_core import SQLCore, missing
from .sql_reactions import reactions_of
from .sql_reads import add_mentions, set_position
from .sql_rows import _MESSAGE, _message, _now
from .sql_search import pg_messages, tsvector
from .tables import memberships, message_edits, messages, reactions, rooms, users


async def append_message(conn: AsyncConnection, room_id: int, author_id: int, body: str, html: str,
                         client_id: str | None, kind: MessageKind) -> Message:
    """Insert a message with the room's next seq (a notice: no client id) in the caller's transaction."""
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


async def insert_text(conn: AsyncConnection, sqlite: bool, room_id: int, author_id: int, body: str, html: str,
                      client_id: str, created_at: datetime, reply_to: int | None = None) -> tuple[int, int] | None:
    """A member's text message in the caller's transaction: the seq bump (only if the author is a member), the
    insert and the author's read position (their own message is read). (seq, message id), or None for a
    non-member or a missing room. The hot path of posting, shared with a file's message (sql_attachments.py)."""
    member = exists().where(memberships.c.room_id == room_id, memberships.c.user_id == author_id)
    seq = (await conn.execute(update(rooms).where(rooms.c.id == room_id, member)
                              .values(last_seq=rooms.c.last_seq + 1).returning(rooms.c.last_seq))).scalar()
    if seq is None:
        return None
    # SQLite indexes the body by trigger; PostgreSQL gets its words with the row (sql_search.py)
    table, words = (messages, {}) if sqlite else (pg_messages, {'search': tsvector(body)})
    message_id = (await conn.execute(insert(table).values(
        room_id=room_id, seq=seq, author_id=author_id, body=body, html=html, client_id=client_id,
        kind='text', created_at=created_at, reply_to_seq=reply_to, **words).returning(table.c.id))).scalar_one()
    await set_position(conn, room_id, [author_id], seq)
    return seq, message_id


class MessageRows(SQLCore):
    async def _by_client(self, room_id: int, author_id: int, client_id: str) -> Message | None:
        rows = await self._read(_MESSAGE.where(messages.c.room_id == room_id, messages.c.author_id == author_id,
                                               messages.c.client_id == client_id))
        return _message(rows[0]) if rows else None

    async def post_message(self, room_id: int, author: User, body: str, html: str,
                           client_id: str, *, mentions: Sequence[int] = (),
                           reply_to: int | None = None) -> tuple[Message, bool]:
        """Three statements in the usual case: the seq bump (only if the author is a member), the insert and the
        author's read position (upserted); one more with `mentions`, one more for a reply (the message it answers)."""
        created_at = _now()
        try:
            async with self._write() as conn:
                inserted = await insert_text(conn, self._sqlite, room_id, author.id, body, html, client_id,
                                             created_at, reply_to)
                if inserted is not None:
                    seq, message_id = inserted
                    await add_mentions(conn, room_id, seq, mentions)
                    reply = await _reply_of(conn, room_id, reply_to) if reply_to is not None else None
        except IntegrityError:
            # the same client id again (a retry): the transaction, seq bump included, rolled back
            stored = await self._by_client(room_id, author.id, client_id)
            if stored is None:
                for user_id in mentions:  # a mentioned id that names nobody
                    if (no_user := await self._missing(user_id=user_id)) is not None:
                        raise no_user from None
                raise
            return (await self._dressed([stored]))[0], False
        if inserted is None:
            if (not_found := await self._missing(room_id)) is not None:
                raise not_found
            raise Forbidden('You are not a member of this room')
        return Message(id=message_id, room_id=room_id, seq=seq, author_id=author.id, author_name=author.username,
                       body=body, html=html, client_id=client_id, created_at=created_at, kind='text',
                       reply_to=reply), True

    async def latest(self, room_id: int, limit: int) -> list[Message]:
        """The newest `limit` messages, oldest first: walks the (room_id, seq) index backwards."""
        rows = await self._rows_of_room(_MESSAGE.where(messages.c.room_id == room_id)
                                        .order_by(messages.c.seq.desc()).limit(max(limit, 0)), room_id)
        return await self._dressed([_message(row) for row in reversed(rows)])

    async def before(self, room_id: int, before_seq: int, limit: int) -> list[Message]:
        rows = await self._rows_of_room(_MESSAGE.where(messages.c.room_id == room_id, messages.c.seq < before_seq)
                                        .order_by(messages.c.seq.desc()).limit(max(limit, 0)), room_id)
        return await self._dressed([_message(row) for row in reversed(rows)])

    async def after(self, room_id: int, after_seq: int, limit: int) -> list[Message]:
        rows = await self._rows_of_room(_MESSAGE.where(messages.c.room_id == room_id, messages.c.seq > after_seq)
                                        .order_by(messages.c.seq).limit(max(limit, 0)), room_id)
        return await self._dressed([_message(row) for row in rows])

    async def deleted_between(self, room_id: int, first_seq: int, last_seq: int) -> list[int]:
        statement = (select(messages.c.seq).where(messages.c.room_id == room_id, messages.c.seq >= first_seq,
                                                  messages.c.seq <= last_seq, messages.c.deleted.is_(True))
                     .order_by(messages.c.seq))
        return [int(row.seq) for row in await self._rows_of_room(statement, room_id)]

    async def get_message(self, room_id: int, seq: int) -> Message | None:
        rows = await self._read(_MESSAGE.where(messages.c.room_id == room_id, messages.c.seq == seq))
        if not rows and (not_found := await self._missing(room_id)) is not None:
            raise not_found
        return (await self._dressed([_message(rows[0])]))[0] if rows else None

    async def delete_message(self, room_id: int, seq: int) -> bool:
        """One UPDATE that only a text message not yet deleted matches: of two deleters, one changes it."""
        table, words = (messages, {}) if self._sqlite else (pg_messages, {'search': None})  # no words to find
        async with self._write() as conn:
            changed = (await conn.execute(
                update(table).where(table.c.room_id == room_id, table.c.seq == seq,
                                    table.c.kind == 'text', table.c.deleted.is_(False))
                .values(deleted=True, body='', html='', **words).returning(table.c.id))).first()
            if changed is not None:  # its earlier texts go with it, and its reactions
                await conn.execute(delete(message_edits).where(message_edits.c.message_id == changed.id))
                await conn.execute(delete(reactions).where(reactions.c.message_id == changed.id))
        if changed is None and (not_found := await self._missing(room_id)) is not None:
            raise not_found
        return changed is not None

    async def edit_message(self, room_id: int, seq: int, author_id: int, body: str, html: str,
                           at: datetime) -> Message:
        """Read the row (locked on PostgreSQL), keep its text in message_edits, rewrite it: one transaction."""
        table, words = (messages, {}) if self._sqlite else (pg_messages, {'search': tsvector(body)})
        async with self._write() as conn:
            current = (await conn.execute(
                select(messages.c.id, messages.c.author_id, messages.c.kind, messages.c.deleted, messages.c.body,
                       messages.c.html).where(messages.c.room_id == room_id, messages.c.seq == seq)
                .with_for_update())).first()
            if current is None:
                not_found = await missing(conn, room_id, None)
                raise not_found if not_found is not None else NotFound('No such message')
            if current.kind != 'text':
                raise Forbidden('Notices cannot be edited')
            if current.deleted:
                raise Forbidden('That message was deleted: it cannot be edited')
            if current.author_id != author_id:
                raise Forbidden('You can only edit your own messages')
            await conn.execute(insert(message_edits).values(
                message_id=current.id, body=current.body, html=current.html, edited_at=at))
            # SQLite's FTS trigger re-indexes the new body; PostgreSQL gets its words here (sql_search.py)
            await conn.execute(update(table).where(table.c.id == current.id)
                               .values(body=body, html=html, edited_at=at, **words))
            row = (await conn.execute(_MESSAGE.where(messages.c.id == current.id))).one()
            found = await reactions_of(conn, [current.id])
        return replace(_message(row), reactions=found.get(current.id, ()))

    async def edited_between(self, room_id: int, first_seq: int, last_seq: int) -> list[Message]:
        statement = _MESSAGE.where(messages.c.room_id == room_id, messages.c.seq >= first_seq,
                                   messages.c.seq <= last_seq, messages.c.edited_at.is_not(None),
                                   messages.c.deleted.is_(False)).order_by(messages.c.seq)
        return await self._dressed([_message(row) for row in await self._rows_of_room(statement, room_id)])

    async def edit_history(self, room_id: int, seq: int) -> list[MessageVersion]:
        statement = (select(message_edits.c.body, message_edits.c.html, message_edits.c.edited_at)
                     .join(messages, messages.c.id == message_edits.c.message_id)
                     .where(messages.c.room_id == room_id, messages.c.seq == seq)
                     .order_by(message_edits.c.id))
        return [MessageVersion(body=row.body, html=row.html, replaced_at=row.edited_at)
                for row in await self._read(statement)]

    async def _dressed(self, found: list[Message]) -> list[Message]:
        """The messages of a history read with their reactions: one query for the page (none when it has none)."""
        if not found:
            return found
        async with self._engine.connect() as conn:
            by_id = await reactions_of(conn, [m.id for m in found])
        return [replace(m, reactions=by_id[m.id]) if m.id in by_id else m for m in found]


async def _reply_of(conn: AsyncConnection, room_id: int, seq: int) -> ReplyRef | None:
    """The reference a new reply carries to the message at `seq` (None if there is none)."""
    parent = (await conn.execute(
        select(messages.c.body, messages.c.deleted, users.c.username).join(users, users.c.id == messages.c.author_id)
        .where(messages.c.room_id == room_id, messages.c.seq == seq))).first()
    return None if parent is None else reply_ref(seq, parent.username, parent.body, parent.deleted)
