"""A room's history: posting, reading by sequence number, deleting."""
from __future__ import annotations

from typing import Protocol

from ...models import Message, User


class MessageStore(Protocol):
    async def post_message(self, room_id: int, author: User, body: str, html: str,
                           client_id: str) -> tuple[Message, bool]:
        """A member's message: check membership, allocate the seq and insert, all in one transaction.

        The hot path of the chat, so it does the least: NotFound / Forbidden when the room is missing or the
        author is not a member. Idempotent on (room_id, author, client_id): a repeat returns the stored
        message and False.
        """

    async def latest(self, room_id: int, limit: int) -> list[Message]:
        """The newest `limit` messages, oldest first."""

    async def before(self, room_id: int, before_seq: int, limit: int) -> list[Message]:
        """Up to `limit` messages with seq < before_seq, oldest first (the page just above)."""

    async def after(self, room_id: int, after_seq: int, limit: int) -> list[Message]:
        """Up to `limit` messages with seq > after_seq, oldest first (catch-up after a gap)."""

    async def get_message(self, room_id: int, seq: int) -> Message | None:
        """The message with that seq in that room, or None (NotFound if the room does not exist)."""

    async def delete_message(self, room_id: int, seq: int) -> bool:
        """Mark a text message deleted and empty its body and html; True if it was deleted just now.

        False when there is no such text message or it was deleted already (of two concurrent deleters,
        one gets True). The seq stays taken, so pages keep their order and catch-up sees the change.
        """

    async def deleted_between(self, room_id: int, first_seq: int, last_seq: int) -> list[int]:
        """The seqs of deleted messages from `first_seq` to `last_seq` (both included), ascending: what a page that
        shows that stretch missed while it was away (NotFound if the room does not exist)."""
