"""Initial schema: users, rooms, memberships, messages.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', BigId, primary_key=True, autoincrement=True),
        sa.Column('username', sa.String(32), nullable=False),
        sa.Column('username_lower', sa.String(32), nullable=False),
        sa.Column('password_hash', sa.String(255), nullable=False),
        sa.Column('created_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_users'),
        sa.UniqueConstraint('username', name='uq_users_username'),
        sa.UniqueConstraint('username_lower', name='uq_users_username_lower'),
    )
    op.create_table(
        'rooms',
        sa.Column('id', BigId, primary_key=True, autoincrement=True),
        sa.Column('name', sa.String(32), nullable=False),
        sa.Column('name_lower', sa.String(32), nullable=False),
        sa.Column('topic', sa.String(200), nullable=False, server_default=''),
        sa.Column('created_by', BigId, nullable=True),
        sa.Column('created_at', Stamp, nullable=False),
        sa.Column('last_seq', sa.Integer, nullable=False, server_default='0'),
        sa.Column('is_public', sa.Boolean, nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint('id', name='pk_rooms'),
        sa.UniqueConstraint('name_lower', name='uq_rooms_name_lower'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name='fk_rooms_created_by_users', ondelete='SET NULL'),
    )
    op.create_table(
        'memberships',
        sa.Column('room_id', BigId, nullable=False),
        sa.Column('user_id', BigId, nullable=False),
        sa.Column('joined_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'user_id', name='pk_memberships'),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name='fk_memberships_room_id_rooms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_memberships_user_id_users', ondelete='CASCADE'),
    )
    op.create_index('ix_memberships_user_id', 'memberships', ['user_id'])
    op.create_table(
        'messages',
        sa.Column('id', BigId, primary_key=True, autoincrement=True),
        sa.Column('room_id', BigId, nullable=False),
        sa.Column('seq', sa.Integer, nullable=False),
        sa.Column('author_id', BigId, nullable=False),
        sa.Column('body', sa.Text, nullable=False),
        sa.Column('html', sa.Text, nullable=False),
        sa.Column('client_id', sa.String(80), nullable=False),
        sa.Column('kind', sa.String(8), nullable=False, server_default='text'),
        sa.Column('created_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_messages'),
        sa.UniqueConstraint('room_id', 'seq', name='uq_messages_room_id_seq'),
        sa.UniqueConstraint('room_id', 'author_id', 'client_id', name='uq_messages_room_id_author_id_client_id'),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name='fk_messages_room_id_rooms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name='fk_messages_author_id_users'),
    )


def downgrade() -> None:
    op.drop_table('messages')
    op.drop_index('ix_memberships_user_id', table_name='memberships')
    op.drop_table('memberships')
    op.drop_table('rooms')
    op.drop_table('users')
