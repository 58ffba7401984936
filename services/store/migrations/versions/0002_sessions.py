"""Server-side sessions and one-time sign-in tickets.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'sessions',
        sa.Column('id', sa.String(64), nullable=False),
        sa.Column('user_id', BigId, nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('created_at', Stamp, nullable=False),
        sa.Column('last_seen_at', Stamp, nullable=False),
        sa.Column('expires_at', Stamp, nullable=False),
        sa.Column('binding', sa.String(64), nullable=False, server_default=''),
        sa.PrimaryKeyConstraint('id', name='pk_sessions'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_sessions_user_id_users', ondelete='CASCADE'),
    )
    op.create_index('ix_sessions_user_id', 'sessions', ['user_id'])
    op.create_index('ix_sessions_expires_at', 'sessions', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_sessions_expires_at', table_name='sessions')
    op.drop_index('ix_sessions_user_id', table_name='sessions')
    op.drop_table('sessions')
