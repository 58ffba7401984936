"""The attachments part of the SQL store, mixed into SQLAlchemyStore: a message with its file in one transaction."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ..errors import Forbidden
from ..models import Attachment, Message, StoredFile, User
from .sql_core import SQLCore
from .sql_messages import insert_text
from .sql_rows import _MESSAGE, _message, _now
from .tables import attachments, messages


class AttachmentRows(SQLCore):
    async def post_attachment(self, room_id: int, author: User, body: str, html: str, client_id: str,
                              attachment: Attachment) -> tuple[Message, bool]:
        """post_message's statements (sql_messages.insert_text) and the attachment's insert, in one transaction."""
        created_at = _now()
        message_id: int | None = None
        try:
            async with self._write() as conn:
                inserted = await insert_text(conn, self._sqlite, room_id, author.id, body, html, client_id, created_at)
                if inserted is not None:
                    message_id = inserted[1]
                    await conn.execute(insert(attachments).values(
                        message_id=message_id, room_id=room_id, uploader_id=author.id, sha256=attachment.sha256,
                        thumb_sha256=attachment.thumb_sha256, name=attachment.name, mime=attachment.mime,
                        size=attachment.size, width=attachment.width, height=attachment.height,
                        created_at=created_at))
        except IntegrityError:
            # the same client id again (a retry): the transaction rolled back whole
            rows = await self._read(_MESSAGE.where(messages.c.room_id == room_id, messages.c.author_id == author.id,
                                                   messages.c.client_id == client_id))
            if not rows:
                raise
            return _message(rows[0]), False
        if message_id is None:
            if (not_found := await self._missing(room_id)) is not None:
                raise not_found
            raise Forbidden('You are not a member of this room')
        rows = await self._read(_MESSAGE.where(messages.c.id == message_id))
        return _message(rows[0]), True

    async def get_attachment(self, attachment_id: int) -> StoredFile | None:
        statement = (select(attachments, messages.c.deleted)
                     .join(messages, messages.c.id == attachments.c.message_id)
                     .where(attachments.c.id == attachment_id))
        rows = await self._read(statement)
        if not rows:
            return None
        row = rows[0]
        return StoredFile(
            attachment=Attachment(id=row.id, name=row.name, mime=row.mime, size=row.size, sha256=row.sha256,
                                  thumb_sha256=row.thumb_sha256, width=row.width, height=row.height),
            room_id=row.room_id, message_id=row.message_id, uploader_id=row.uploader_id, deleted=row.deleted)

    async def upload_usage(self, user_id: int) -> int:
        rows = await self._read(select(func.coalesce(func.sum(attachments.c.size), 0))
                                .where(attachments.c.uploader_id == user_id))
        return int(rows[0][0])

    async def release_attachments(self, message_id: int) -> list[str]:
        async with self._write() as conn:
            gone = (await conn.execute(delete(attachments).where(attachments.c.message_id == message_id)
                                       .returning(attachments.c.sha256, attachments.c.thumb_sha256))).all()
            keys = sorted({key for row in gone for key in (row.sha256, row.thumb_sha256) if key})
            used = await _in_use(conn, keys)
        return [key for key in keys if key not in used]

    async def blobs_in_use(self, keys: Sequence[str]) -> set[str]:
        async with self._engine.connect() as conn:
            return await _in_use(conn, list(keys))


async def _in_use(conn: AsyncConnection, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    rows = (await conn.execute(select(attachments.c.sha256, attachments.c.thumb_sha256).where(
        or_(attachments.c.sha256.in_(keys), attachments.c.thumb_sha256.in_(keys))))).all()
    wanted = set(keys)
    return {key for row in rows for key in (row.sha256, row.thumb_sha256) if key in wanted}
