"""Reactions and replies: the reactions table and messages.reply_to_seq.

A reaction is one row per (message, user, emoji); it goes with its message (and with its user). A reply keeps the
seq of the message it answers in the same room (NULL: not a reply); history reads join that message for its author
and first line.

The column is added and dropped in place, never in batch mode: a batch rebuild of messages on SQLite would drop
the search triggers of migration 0004 with the old table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column('messages', sa.Column('reply_to_seq', sa.Integer, nullable=True))
    op.create_table(
        'reactions',
        sa.Column('message_id', BigId, nullable=False),
        sa.Column('user_id', BigId, nullable=False),
        sa.Column('emoji', sa.String(32), nullable=False),
        sa.Column('created_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('message_id', 'user_id', 'emoji', name='pk_reactions'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name='fk_reactions_message_id_messages',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_reactions_user_id_users', ondelete='CASCADE'),
    )


def downgrade() -> None:
    """Back to 0005. Lossy: reactions go, replies become plain messages."""
    op.drop_table('reactions')
    # SQLite (3.35+) drops a plain column in place, keeping the table and its triggers
    op.execute('ALTER TABLE messages DROP COLUMN reply_to_seq')
