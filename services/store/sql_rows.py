"""Table queries and row mappers shared by the SQLAlchemy store (SQLite and PostgreSQL alike)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from ..models import Attachment, Message, ReplyRef, Room, User
from .replies import reply_ref
from .tables import attachments, memberships, messages, rooms, users

_counted = memberships.alias('counted')  # own alias: rooms_of() joins memberships in the outer query
_member_count = (select(func.count()).select_from(_counted).where(_counted.c.room_id == rooms.c.id)
                 .correlate(rooms).scalar_subquery().label('member_count'))
_ROOM = select(rooms.c.id, rooms.c.name, rooms.c.topic, rooms.c.created_by, rooms.c.created_at, _member_count,
               rooms.c.kind)
_USER = select(users.c.id, users.c.username, users.c.created_at, users.c.is_admin)
_parent = messages.alias('parent')  # the message a reply answers (migration 0007)
_parent_author = users.alias('parent_author')
_MESSAGE = select(
    messages.c.id, messages.c.room_id, messages.c.seq, messages.c.author_id, users.c.username.label('author_name'),
    messages.c.body, messages.c.html, messages.c.client_id, messages.c.created_at, messages.c.kind,
    messages.c.deleted, messages.c.edited_at,
    messages.c.reply_to_seq, _parent.c.body.label('reply_body'), _parent.c.deleted.label('reply_deleted'),
    _parent_author.c.username.label('reply_author'),
).join(users, users.c.id == messages.c.author_id).outerjoin(
    _parent, (_parent.c.room_id == messages.c.room_id) & (_parent.c.seq == messages.c.reply_to_seq)).outerjoin(
    _parent_author, _parent_author.c.id == _parent.c.author_id)
# a message's file (migration 0008) comes with it in the same read: one row per message, no query per message
_MESSAGE = _MESSAGE.outerjoin(attachments, attachments.c.message_id == messages.c.id).add_columns(
    attachments.c.id.label('file_id'), attachments.c.name.label('file_name'), attachments.c.mime.label('file_mime'),
    attachments.c.size.label('file_size'), attachments.c.sha256.label('file_sha256'),
    attachments.c.thumb_sha256.label('file_thumb'), attachments.c.width.label('file_width'),
    attachments.c.height.label('file_height'))


def _user(row: Any) -> User:
    return User(id=row.id, username=row.username, created_at=row.created_at, is_admin=row.is_admin)


def _room(row: Any) -> Room:
    return Room(id=row.id, name=row.name, topic=row.topic, created_by=row.created_by,
                created_at=row.created_at, member_count=row.member_count, kind=row.kind)


def _message(row: Any) -> Message:
    return Message(id=row.id, room_id=row.room_id, seq=row.seq, author_id=row.author_id,
                   author_name=row.author_name, body=row.body, html=row.html, client_id=row.client_id,
                   created_at=row.created_at, kind=row.kind, deleted=row.deleted,
                   edited_at=row.edited_at, reply_to=_reply(row), attachment=_attachment(row))


def _reply(row: Any) -> ReplyRef | None:
    """The parent a reply row was joined with (None: not a reply, or its parent is gone)."""
    if row.reply_to_seq is None or row.reply_author is None:
        return None
    return reply_ref(row.reply_to_seq, row.reply_author, row.reply_body, row.reply_deleted)


def _attachment(row: Any) -> Attachment | None:
    """The file of a message row read with _MESSAGE; None without one, and for a deleted message."""
    file_id = getattr(row, 'file_id', None)
    if file_id is None or row.deleted:
        return None
    return Attachment(id=file_id, name=row.file_name, mime=row.file_mime, size=row.file_size, sha256=row.file_sha256,
                      thumb_sha256=row.file_thumb, width=row.file_width, height=row.file_height)


def _now() -> datetime:
    return datetime.now(UTC)
