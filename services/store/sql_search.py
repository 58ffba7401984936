"""The search part of the SQL store, mixed into SQLAlchemyStore: FTS5 on SQLite, a tsvector on PostgreSQL.

Both index the words of store/words.py (migration 0004). SQLite: the FTS5 table `messages_fts` over
messages.body, kept current by triggers (a deleted message's emptied body has no words). PostgreSQL: the
column messages.search, a tsvector of those words written with each text message (NULL for notices and
deleted messages), with a GIN index. Neither is in tables.py (the common schema): `pg_messages` below is
messages with that column, for the statements that write or read it on PostgreSQL.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Text, bindparam, cast, column, select, table, text
from sqlalchemy.dialects.postgresql import TSVECTOR

from .ports.search import SearchHit, SearchQuery
from .sql_core import SQLCore
from .sql_rows import _MESSAGE, _message
from .tables import memberships, messages, rooms
from .words import quote_lexeme, tsvector_literal

pg_messages = messages.to_metadata(MetaData())
pg_messages.append_column(Column('search', TSVECTOR, nullable=True))
_fts = table('messages_fts', column('rowid', Integer))


def tsvector(body: str) -> Any:
    """The value of messages.search for a text message's body (PostgreSQL)."""
    return cast(bindparam('search_words', tsvector_literal(body), type_=Text), TSVECTOR)


def fts5_match(query: SearchQuery) -> str:
    """An FTS5 query of quoted phrases: the words are taken literally, whatever characters they hold."""
    last = len(query.terms) - 1
    return ' '.join('"' + ' '.join(term).replace('"', '""') + '"' + ('*' if query.prefix and i == last else '')
                    for i, term in enumerate(query.terms))


def tsquery(query: SearchQuery) -> str:
    """A tsquery in input syntax: quoted lexemes (taken literally), phrases with <->, terms joined by &."""
    last = len(query.terms) - 1
    phrases = []
    for i, term in enumerate(query.terms):
        lexemes = [quote_lexeme(word) for word in term]
        if query.prefix and i == last:
            lexemes[-1] += ':*'
        phrases.append(' <-> '.join(lexemes))
    return ' & '.join(f'({p})' for p in phrases)


class SearchRows(SQLCore):
    async def search_messages(self, user_id: int, query: SearchQuery, limit: int,
                              before_id: int | None = None) -> list[SearchHit]:
        """One query: the index gives the matches newest first (FTS5 walks its rowids backwards; PostgreSQL picks
        the GIN index for rare words, or the primary key backwards for common ones), joined to the messages
        of the user's conversations and the filters, stopped at `limit`."""
        folded = query.folded()
        if limit <= 0 or folded is None:
            return []
        query = folded
        mine = select(memberships.c.room_id).where(memberships.c.user_id == user_id)
        statement = (_MESSAGE.add_columns(rooms.c.name.label('room_name'), rooms.c.kind.label('room_kind'))
                     .join(rooms, rooms.c.id == messages.c.room_id)
                     .where(messages.c.room_id.in_(mine), messages.c.kind == 'text', messages.c.deleted.is_(False)))
        newest: Any = messages.c.id
        if query.terms and self._sqlite:
            statement = statement.join(_fts, _fts.c.rowid == messages.c.id).where(
                text('messages_fts MATCH :fts_query').bindparams(fts_query=fts5_match(query)))
            newest = _fts.c.rowid  # ordering by the FTS table's own rowid lets FTS5 deliver them in order
        elif query.terms:
            statement = statement.where(text('messages.search @@ CAST(:ts_query AS tsquery)')
                                        .bindparams(ts_query=tsquery(query)))
        if before_id is not None:
            statement = statement.where(newest < before_id)
        if query.author_id is not None:
            statement = statement.where(messages.c.author_id == query.author_id)
        if query.room_id is not None:
            statement = statement.where(messages.c.room_id == query.room_id)
        if query.since is not None:
            statement = statement.where(messages.c.created_at >= query.since)
        if query.until is not None:
            statement = statement.where(messages.c.created_at < query.until)
        rows = await self._read(statement.order_by(newest.desc()).limit(limit))
        return [SearchHit(_message(row), row.room_name, row.room_kind) for row in rows]
