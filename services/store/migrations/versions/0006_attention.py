"""Attention: read positions, mentions, read receipts and muted conversations.

read_positions holds how far each member has read in each conversation. An upgraded site starts with everything
already there read: one row per existing membership at the room's last seq. mentions holds who each message
mentions (written with the message). users.send_receipts and memberships.muted are plain flags.

Columns are added in place, never in batch mode (see 0005: a batch rebuild on SQLite would lose triggers).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column('users', sa.Column('send_receipts', sa.Boolean, nullable=False, server_default=sa.true()))
    op.add_column('memberships', sa.Column('muted', sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        'read_positions',
        sa.Column('room_id', BigId, nullable=False),
        sa.Column('user_id', BigId, nullable=False),
        sa.Column('last_read_seq', sa.Integer, nullable=False),
        sa.Column('updated_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'user_id', name='pk_read_positions'),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name='fk_read_positions_room_id_rooms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_read_positions_user_id_users', ondelete='CASCADE'),
    )
    op.create_table(
        'mentions',
        sa.Column('room_id', BigId, nullable=False),
        sa.Column('seq', sa.Integer, nullable=False),
        sa.Column('user_id', BigId, nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'seq', 'user_id', name='pk_mentions'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_mentions_user_id_users', ondelete='CASCADE'),
    )
    op.create_index('ix_mentions_user_id_room_id_seq', 'mentions', ['user_id', 'room_id', 'seq'])
    # everything already there counts as read
    op.execute('INSERT INTO read_positions (room_id, user_id, last_read_seq, updated_at) '
               'SELECT m.room_id, m.user_id, r.last_seq, CURRENT_TIMESTAMP '
               'FROM memberships m JOIN rooms r ON r.id = m.room_id')


def downgrade() -> None:
    """Back to 0005. Lossy: read positions, mentions, receipt and mute settings go."""
    op.drop_index('ix_mentions_user_id_room_id_seq', table_name='mentions')
    op.drop_table('mentions')
    op.drop_table('read_positions')
    # SQLite (3.35+) drops a plain column in place, keeping the table and its triggers
    op.execute('ALTER TABLE memberships DROP COLUMN muted')
    op.execute('ALTER TABLE users DROP COLUMN send_receipts')
