"""Files in messages: the attachments table (services/uploads.py, services/blobs/).

One row per message that carries a file; the bytes are blobs named by their SHA-256 (content-addressed, so
the same file posted twice is stored once). Deleting a message deletes its row; a blob goes when no row uses it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'attachments',
        sa.Column('id', BigId, primary_key=True, autoincrement=True),
        sa.Column('message_id', BigId, nullable=True),
        sa.Column('room_id', BigId, nullable=False),
        sa.Column('uploader_id', BigId, nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('thumb_sha256', sa.String(64), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('mime', sa.String(100), nullable=False),
        sa.Column('size', sa.BigInteger, nullable=False),
        sa.Column('width', sa.Integer, nullable=True),
        sa.Column('height', sa.Integer, nullable=True),
        sa.Column('created_at', Stamp, nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_attachments'),
        sa.UniqueConstraint('message_id', name='uq_attachments_message_id'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name='fk_attachments_message_id_messages',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name='fk_attachments_room_id_rooms', ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name='fk_attachments_uploader_id_users',
                                ondelete='CASCADE'),
    )
    op.create_index('ix_attachments_uploader_id', 'attachments', ['uploader_id'])
    op.create_index('ix_attachments_sha256', 'attachments', ['sha256'])
    op.create_index('ix_attachments_thumb_sha256', 'attachments', ['thumb_sha256'])


def downgrade() -> None:
    """Back to 0005. Lossy: messages forget their files (the blobs stay in the blob store)."""
    op.drop_index('ix_attachments_thumb_sha256', table_name='attachments')
    op.drop_index('ix_attachments_sha256', table_name='attachments')
    op.drop_index('ix_attachments_uploader_id', table_name='attachments')
    op.drop_table('attachments')
