"""The schema as SQLAlchemy Core tables. Created only by the Alembic migrations; this mirrors them for queries."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, also on SQLite (which stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError('naive datetime given to a UTC column')
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == 'sqlite' else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# BIGINT ids on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
BigId = BigInteger().with_variant(Integer(), 'sqlite')

metadata = MetaData(naming_convention={
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
})

users = Table(
    'users', metadata,
    Column('id', BigId, primary_key=True, autoincrement=True),
    Column('username', String(32), nullable=False, unique=True),
    Column('username_lower', String(32), nullable=False, unique=True),
    Column('password_hash', String(255), nullable=False),
    Column('created_at', UTCDateTime(), nullable=False),
    Column('is_admin', Boolean, nullable=False, server_default=false()),  # migration 0003
    Column('send_receipts', Boolean, nullable=False, server_default=true()),  # migration 0006
)

rooms = Table(
    'rooms', metadata,
    Column('id', BigId, primary_key=True, autoincrement=True),
    Column('name', String(32), nullable=False),  # '' for direct messages
    Column('name_lower', String(32), nullable=True, unique=True),  # NULL for direct messages (not unique then)
    Column('topic', String(200), nullable=False, server_default=''),
    Column('created_by', BigId, ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
    Column('created_at', UTCDateTime(), nullable=False),
    Column('last_seq', Integer, nullable=False, server_default='0'),
    Column('kind', String(8), nullable=False, server_default='public'),  # models.RoomKind (migration 0003)
    Column('dm_key', String(64), nullable=True, unique=True),  # a 1:1's sorted ids: made once (migration 0003)
)

memberships = Table(
    'memberships', metadata,
    Column('room_id', BigId, ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
    Column('user_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    Column('joined_at', UTCDateTime(), nullable=False),
    Column('role', String(9), nullable=False, server_default='member'),  # models.Role (migration 0003)
    Column('muted', Boolean, nullable=False, server_default=false()),  # migration 0006
    PrimaryKeyConstraint('room_id', 'user_id'),
    Index(None, 'user_id'),  # rooms_of(user)
)

# who may not rejoin or be added to a room until unbanned (migration 0003)
bans = Table(
    'bans', metadata,
    Column('room_id', BigId, ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
    Column('user_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    Column('banned_by', BigId, ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
    Column('banned_at', UTCDateTime(), nullable=False),
    PrimaryKeyConstraint('room_id', 'user_id'),
)

messages = Table(
    'messages', metadata,
    Column('id', BigId, primary_key=True, autoincrement=True),
    Column('room_id', BigId, ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
    Column('seq', Integer, nullable=False),
    Column('author_id', BigId, ForeignKey('users.id'), nullable=False),
    Column('body', Text, nullable=False),
    Column('html', Text, nullable=False),
    Column('client_id', String(80), nullable=False),
    Column('kind', String(8), nullable=False, server_default='text'),
    Column('created_at', UTCDateTime(), nullable=False),
    Column('deleted', Boolean, nullable=False, server_default=false()),  # body and html emptied (migration 0003)
    Column('edited_at', UTCDateTime(), nullable=True),  # its author's last edit (migration 0005)
    Column('reply_to_seq', Integer, nullable=True),  # the message it answers, same room (migration 0007)
    UniqueConstraint('room_id', 'seq'),  # also the index every history read walks
    UniqueConstraint('room_id', 'author_id', 'client_id'),
)

# the versions an edit replaced, oldest first per message (migration 0005); they go with their message
message_edits = Table(
    'message_edits', metadata,
    Column('id', BigId, primary_key=True, autoincrement=True),
    Column('message_id', BigId, ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
    Column('body', Text, nullable=False),
    Column('html', Text, nullable=False),
    Column('edited_at', UTCDateTime(), nullable=False),  # when this version was replaced
    Index(None, 'message_id'),
)

# sessions and one-time sign-in tickets (hostile-auth; migration 0002)
sessions = Table(
    'sessions', metadata,
    Column('id', String(64), primary_key=True),  # SHA-256 hex of the token: the token is never stored
    Column('user_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    Column('kind', String(8), nullable=False),
    Column('created_at', UTCDateTime(), nullable=False),
    Column('last_seen_at', UTCDateTime(), nullable=False),
    Column('expires_at', UTCDateTime(), nullable=False),
    Column('binding', String(64), nullable=False, server_default=''),
    Index(None, 'user_id'),  # sign out everywhere
    Index(None, 'expires_at'),  # the purge
)

# how far each member has read in each conversation (migration 0006; a missing row means 0)
read_positions = Table(
    'read_positions', metadata,
    Column('room_id', BigId, ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
    Column('user_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    Column('last_read_seq', Integer, nullable=False),
    Column('updated_at', UTCDateTime(), nullable=False),
    PrimaryKeyConstraint('room_id', 'user_id'),
)

# who a message mentions (@name, @room), written with the message (migration 0006)
mentions = Table(
    'mentions', metadata,
    Column('room_id', BigId, nullable=False),
    Column('seq', Integer, nullable=False),
    Column('user_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    PrimaryKeyConstraint('room_id', 'seq', 'user_id'),
    Index(None, 'user_id', 'room_id', 'seq'),  # a user's mentions after their position, per room
)

# one row per (message, user, emoji) (migration 0007); they go with their message and their user
reactions = Table(
    'reactions', metadata,
    Column('message_id', BigId, ForeignKey('messages.id', ondelete='CASCADE'), nullable=False),
    Column('user_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    Column('emoji', String(32), nullable=False),
    Column('created_at', UTCDateTime(), nullable=False),
    PrimaryKeyConstraint('message_id', 'user_id', 'emoji'),
)

# files posted with messages (migration 0008): one per message; the bytes are blobs named by their SHA-256
attachments = Table(
    'attachments', metadata,
    Column('id', BigId, primary_key=True, autoincrement=True),
    Column('message_id', BigId, ForeignKey('messages.id', ondelete='CASCADE'), nullable=True, unique=True),
    Column('room_id', BigId, ForeignKey('rooms.id', ondelete='CASCADE'), nullable=False),
    Column('uploader_id', BigId, ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
    Column('sha256', String(64), nullable=False),
    Column('thumb_sha256', String(64), nullable=True),
    Column('name', String(255), nullable=False),
    Column('mime', String(100), nullable=False),
    Column('size', BigInteger, nullable=False),
    Column('width', Integer, nullable=True),
    Column('height', Integer, nullable=True),
    Column('created_at', UTCDateTime(), nullable=False),
    Index(None, 'uploader_id'),  # a user's quota
    Index(None, 'sha256'),  # is a blob still used
    Index(None, 'thumb_sha256'),
)
