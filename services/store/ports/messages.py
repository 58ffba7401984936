"""A room's history: posting, reading by sequence number, editing, deleting."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ...models import Message, MessageVersion, User


class MessageStore(Protocol):
    async def post_message(self, room_id: int, author: User, body: str, html: str,
                           client_id: str, *, mentions: Sequence[int] = (),
                           reply_to: int | None = None) -> tuple[Message, bool]:
        """A member's message: check membership, allocate the seq and insert, all in one transaction.

        The hot path of the chat, so it does the least: NotFound / Forbidden when the room is missing or the
        author is not a member. Idempotent on (room_id, author, client_id): a repeat returns the stored
        message and False. The same transaction moves the author's read position to the message (ports/reads.py)
        and records the users it `mentions` (ids of members; the services resolve them).
        `reply_to`: the seq of the message it answers in the same room (the services check it
        exists and is a text message); the returned message carries its `ReplyRef`.
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

    async def edit_message(self, room_id: int, seq: int, author_id: int, body: str, html: str,
                           at: datetime) -> Message:
        """Its author's new text for a text message, in one transaction: the version it replaces goes into the
        edit history, the row gets the new body and html (and its search words) and `edited_at` = `at`.

        Returns the message as stored now. NotFound 'No such message' (or the room's NotFound); Forbidden when it
        is a notice, deleted, or not `author_id`'s. The services decide whether the text changed.
        """

    async def edited_between(self, room_id: int, first_seq: int, last_seq: int) -> list[Message]:
        """The edited messages, not deleted, from `first_seq` to `last_seq` (both included), ascending by seq: what
        a page that shows that stretch refreshes after it was away (NotFound if the room does not exist)."""

    async def edit_history(self, room_id: int, seq: int) -> list[MessageVersion]:
        """The texts edits replaced, oldest first ([] for a message never edited or missing)."""
