"""The in-memory store's attachments: a message with its file, usage per uploader, releasing a message's files."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..errors import Forbidden
from ..models import Attachment, Message, StoredFile, User
from .memory_rooms import MemoryData


class MemoryAttachments(MemoryData):
    def __init__(self) -> None:
        super().__init__()
        self._files: dict[int, StoredFile] = {}
        self._next_file_id = 1

    async def post_attachment(self, room_id: int, author: User, body: str, html: str, client_id: str,
                              attachment: Attachment) -> tuple[Message, bool]:
        row = self._row(room_id)
        if author.id not in row.members:
            raise Forbidden('You are not a member of this room')
        existing = row.by_client.get((author.id, client_id))
        if existing is not None:
            return existing, False
        message = self._append(row, author.id, body, html, client_id, 'text')
        row.reads[author.id] = message.seq  # one's own message is read, as with post_message
        stored = replace(attachment, id=self._next_file_id)
        self._next_file_id += 1
        self._files[stored.id] = StoredFile(stored, room_id, message.id, author.id, deleted=False)
        message = replace(message, attachment=stored)
        row.messages[message.seq - 1] = message
        row.by_client[(author.id, client_id)] = message
        return message, True

    def _message_of(self, file: StoredFile) -> Message | None:
        row = self._rooms.get(file.room_id)
        return next((m for m in row.messages if m.id == file.message_id), None) if row is not None else None

    async def get_attachment(self, attachment_id: int) -> StoredFile | None:
        file = self._files.get(attachment_id)
        if file is None:
            return None
        message = self._message_of(file)
        return replace(file, deleted=message is None or message.deleted)

    async def upload_usage(self, user_id: int) -> int:
        return sum(f.attachment.size for f in self._files.values() if f.uploader_id == user_id)

    async def release_attachments(self, message_id: int) -> list[str]:
        gone = [f for f in self._files.values() if f.message_id == message_id]
        for file in gone:
            del self._files[file.attachment.id]
            message = self._message_of(file)
            if message is not None and message.attachment is not None:  # as the SQL store's join: no row, no file
                row = self._rooms[file.room_id]
                row.messages[message.seq - 1] = replace(message, attachment=None)
                row.by_client[(message.author_id, message.client_id)] = row.messages[message.seq - 1]
        keys = sorted({k for f in gone for k in (f.attachment.sha256, f.attachment.thumb_sha256) if k})
        used = await self.blobs_in_use(keys)
        return [key for key in keys if key not in used]

    async def blobs_in_use(self, keys: Sequence[str]) -> set[str]:
        wanted = set(keys)
        return {k for f in self._files.values() for k in (f.attachment.sha256, f.attachment.thumb_sha256)
                if k in wanted}
