"""Conversations: room kinds (public, private, dm, group), roles, bans, the administrator, deleted messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column('users', sa.Column('is_admin', sa.Boolean, nullable=False, server_default=sa.false()))
    # an existing site's first account becomes its administrator, as a new site's will
    op.execute('UPDATE users SET is_admin = true WHERE id = (SELECT min(id) FROM users)')

    # SQLite cannot drop a column or change NULL-ness in place: batch mode rebuilds the table there
    with op.batch_alter_table('rooms') as batch:
        batch.add_column(sa.Column('kind', sa.String(8), nullable=False, server_default='public'))
        batch.add_column(sa.Column('dm_key', sa.String(64), nullable=True))
        batch.create_unique_constraint('uq_rooms_dm_key', ['dm_key'])
        batch.alter_column('name_lower', existing_type=sa.String(32), nullable=True)
    op.execute("UPDATE rooms SET kind = 'private' WHERE NOT is_public")
    with op.batch_alter_table('rooms') as batch:
        batch.drop_column('is_public')

    op.add_column('memberships', sa.Column('role', sa.String(9), nullable=False, server_default='member'))
    op.execute("UPDATE memberships SET role = 'owner' WHERE user_id = "
               '(SELECT created_by FROM rooms WHERE rooms.id = memberships.room_id)')
    op.create_table(
        'bans',
        sa.Column('room_id', BigId, nullable=False),
        sa.Column('user_id', BigId, nullable=False),
        sa.Column('banned_by', BigId, nullable=True),
        sa.Column('banned_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('room_id', 'user_id', name='pk_bans'),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name='fk_bans_room_id_rooms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_bans_user_id_users', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['banned_by'], ['users.id'], name='fk_bans_banned_by_users', ondelete='SET NULL'),
    )
    op.add_column('messages', sa.Column('deleted', sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Back to 0002. Lossy: direct messages (nameless) cannot exist there and go, with their history."""
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('deleted')
    op.drop_table('bans')
    with op.batch_alter_table('memberships') as batch:
        batch.drop_column('role')
    op.execute("DELETE FROM messages WHERE room_id IN (SELECT id FROM rooms WHERE kind IN ('dm', 'group'))")
    op.execute("DELETE FROM memberships WHERE room_id IN (SELECT id FROM rooms WHERE kind IN ('dm', 'group'))")
    op.execute("DELETE FROM rooms WHERE kind IN ('dm', 'group')")
    with op.batch_alter_table('rooms') as batch:
        batch.add_column(sa.Column('is_public', sa.Boolean, nullable=False, server_default=sa.true()))
    op.execute("UPDATE rooms SET is_public = false WHERE kind = 'private'")
    with op.batch_alter_table('rooms') as batch:
        batch.drop_constraint('uq_rooms_dm_key', type_='unique')
        batch.drop_column('dm_key')
        batch.drop_column('kind')
        batch.alter_column('name_lower', existing_type=sa.String(32), nullable=False)
    with op.batch_alter_table('users') as batch:
        batch.drop_column('is_admin')
