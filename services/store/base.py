"""The storage port. Every method is one transaction: it commits before it returns, or changes nothing.

Unknown ids, the same on every adapter (tests/integration/test_store_contract.py): a method about a room
that does not exist raises NotFound('That room does not exist') (reads included: never an empty list);
one that would write a user's id that does not exist raises NotFound('No such user'). Questions answer
instead: `get_*` return None, `is_member` False, `rooms_of` [], `leave` None for a non-member.
Never a driver exception. Lists "by name" sort by code point, whatever the database's collation.
"""
from __future__ import annotations

from typing import Protocol

from ..models import Message, Room, User


class Store(Protocol):
    async def start(self) -> None:
        """Open connections and bring the schema up to date."""

    async def close(self) -> None: ...

    # accounts
    async def create_user(self, username: str, password_hash: str) -> User:
        """Insert a user; raise Conflict if the name is taken (case-insensitively)."""

    async def get_user(self, user_id: int) -> User | None: ...

    async def get_credentials(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, looked up case-insensitively."""

    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...

    # rooms
    async def create_room(self, name: str, topic: str, creator_id: int | None) -> Room:
        """Insert a room with its creator (if any) as first member; raise Conflict if the name is taken.

        `creator_id=None` is the system creating a room (`general` on first start): no member yet.
        """

    async def get_room(self, room_id: int) -> Room | None: ...

    async def get_room_by_name(self, name: str) -> Room | None: ...

    async def set_topic(self, room_id: int, topic: str) -> Room: ...

    async def list_rooms(self, query: str, limit: int, offset: int) -> list[Room]:
        """Public rooms whose name contains `query`, by name."""

    async def rooms_of(self, user_id: int) -> list[Room]:
        """The rooms the user has joined, by name."""

    async def is_member(self, room_id: int, user_id: int) -> bool: ...

    async def members(self, room_id: int) -> list[User]: ...

    async def join(self, room_id: int, user_id: int, notice: str) -> Message | None:
        """Add the membership and append a 'join' notice in one transaction; None if already a member."""

    async def leave(self, room_id: int, user_id: int, notice: str) -> Message | None:
        """Remove the membership and append a 'leave' notice in one transaction; None if not a member."""

    # messages
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
