"""Edited messages: messages.edited_at and message_edits, the versions an edit replaced.

An edit rewrites the message's row in place (body, html, edited_at; on PostgreSQL its search words too) after
copying the version it replaces into message_edits, in one transaction (services/store/sql_messages.py).
SQLite's search index follows the body by its update trigger (migration 0004).

The column is added and dropped in place, never in batch mode: a batch rebuild of messages on SQLite would drop
the search triggers of migration 0004 with the old table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column('messages', sa.Column('edited_at', Stamp, nullable=True))
    op.create_table(
        'message_edits',
        sa.Column('id', BigId, primary_key=True, autoincrement=True),
        sa.Column('message_id', BigId, nullable=False),
        sa.Column('body', sa.Text, nullable=False),
        sa.Column('html', sa.Text, nullable=False),
        sa.Column('edited_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_message_edits'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name='fk_message_edits_message_id_messages',
                                ondelete='CASCADE'),
    )
    op.create_index('ix_message_edits_message_id', 'message_edits', ['message_id'])


def downgrade() -> None:
    """Back to 0004. Lossy: the edit history goes; messages keep their latest text."""
    op.drop_index('ix_message_edits_message_id', table_name='message_edits')
    op.drop_table('message_edits')
    # SQLite (3.35+) drops a plain column in place, keeping the table and its triggers
    op.execute('ALTER TABLE messages DROP COLUMN edited_at')
