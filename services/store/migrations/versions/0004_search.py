"""Search: the words of every text message, indexed (services/store/sql_search.py).

SQLite: the FTS5 table messages_fts over messages.body (external content: the text stays in messages), with
the tokenizer of services/store/words.py and triggers that keep it current on insert, update and delete.
Only text messages are in it (the triggers' WHEN): FTS5 must be told the exact words it indexed to remove a
row, so a row it never indexed must never be removed. A later migration that rebuilds messages in batch mode
(copy, drop, rename) drops these triggers with the old table: it must create them again (`_TRIGGERS`).

PostgreSQL: the column messages.search, a tsvector of the same words (written by the store with each text
message), and a GIN index on it. The backfill computes them here, in Python, a batch at a time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-14
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.store.words import TOKENIZER, tsvector_literal

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_INDEX = "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body)"
_UNINDEX = "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body)"
_TRIGGERS = {
    'messages_fts_insert': f"AFTER INSERT ON messages WHEN new.kind = 'text' BEGIN {_INDEX}; END",
    'messages_fts_delete': f"AFTER DELETE ON messages WHEN old.kind = 'text' BEGIN {_UNINDEX}; END",
    'messages_fts_update': f"AFTER UPDATE OF body ON messages WHEN old.kind = 'text' BEGIN {_UNINDEX}; {_INDEX}; END",
}
BATCH = 5000


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE messages_fts USING fts5("
                   f"body, content='messages', content_rowid='id', tokenize='{TOKENIZER}')")
        for name, body in _TRIGGERS.items():
            op.execute(f'CREATE TRIGGER {name} {body}')
        op.execute("INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE kind = 'text'")
    elif dialect == 'postgresql':
        op.execute('ALTER TABLE messages ADD COLUMN search tsvector')
        _backfill_postgresql()
        op.execute('CREATE INDEX ix_messages_search ON messages USING gin (search)')


def _backfill_postgresql() -> None:
    bind = op.get_bind()
    select = sa.text("SELECT id, body FROM messages WHERE kind = 'text' AND NOT deleted AND id > :after "
                     'ORDER BY id LIMIT :batch')
    update = sa.text('UPDATE messages SET search = CAST(:words AS tsvector) WHERE id = :id')
    after = 0
    while rows := bind.execute(select, {'after': after, 'batch': BATCH}).all():
        bind.execute(update, [{'id': row.id, 'words': tsvector_literal(row.body)} for row in rows])
        after = rows[-1].id


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in _TRIGGERS:
            op.execute(f'DROP TRIGGER {name}')
        op.execute('DROP TABLE messages_fts')
    elif dialect == 'postgresql':
        op.execute('DROP INDEX ix_messages_search')
        op.execute('ALTER TABLE messages DROP COLUMN search')
