"""Files posted with messages: the attachment rows (the bytes are blobs, services/blobs/)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ...models import Attachment, Message, StoredFile, User


class AttachmentStore(Protocol):
    async def post_attachment(self, room_id: int, author: User, body: str, html: str, client_id: str,
                              attachment: Attachment) -> tuple[Message, bool]:
        """A member's message that carries a file: what `post_message` does (membership check, the next seq,
        idempotent on (room_id, author, client_id)) and the attachment's row with it, in one transaction.

        `attachment.id` is ignored (the store gives one). The message comes back with its attachment; a repeat
        returns the stored message and False and stores nothing. NotFound / Forbidden as `post_message`.
        """

    async def get_attachment(self, attachment_id: int) -> StoredFile | None:
        """The attachment with its room, message and whether that message was deleted; None if there is none."""

    async def upload_usage(self, user_id: int) -> int:
        """The bytes of the files a user posted that are still kept (their quota counts these)."""

    async def release_attachments(self, message_id: int) -> list[str]:
        """Delete the attachment rows of a message; the blob keys (file and thumbnail) that no row uses any more,
        which the caller then deletes from the blob store. [] when the message had none (or they went already)."""

    async def blobs_in_use(self, keys: Sequence[str]) -> set[str]:
        """Which of these blob keys an attachment row uses (as its file or its thumbnail)."""
