"""Rooms and direct messages, their memberships, roles and bans.

Single reads and writes are methods of `ConversationStore`, each its own transaction. A change that spans
tables (a membership and its notice; a ban, the membership it ends and the notice) goes through a unit of
work: `async with store.unit() as uow:` runs every call on `uow` in one transaction, committed when the
block ends normally and rolled back when it raises. The services decide what is written (roles, the
notice's text, kind and html); the adapters only write it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Literal, Protocol

from ...models import Member, Message, Role, Room, Standing, User


class ConversationUnit(Protocol):
    """The writes of one transaction about rooms. Reading a room through it (`get_room`) locks the room until the
    unit ends, so membership changes of one room queue instead of racing (PostgreSQL; SQLite has one writer)."""

    async def get_room(self, room_id: int) -> Room | None: ...

    async def standing(self, room_id: int, user_id: int) -> Standing: ...

    async def add_member(self, room_id: int, user_id: int, role: Role = 'member') -> bool:
        """Add the membership; False if already a member (nothing changes). NotFound for an unknown room or user."""

    async def remove_member(self, room_id: int, user_id: int) -> Role | None:
        """Remove the membership; the role it had, or None if not a member."""

    async def set_role(self, room_id: int, user_id: int, role: Role) -> bool:
        """Change a member's role; False if not a member."""

    async def ban(self, room_id: int, user_id: int, by_id: int | None) -> bool:
        """Record the ban (the membership is the caller's to remove); False if banned already. NotFound as add."""

    async def unban(self, room_id: int, user_id: int) -> bool:
        """Lift the ban; False if there was none."""

    async def append_notice(self, room_id: int, author_id: int, kind: Literal['join', 'leave'], body: str,
                            html: str) -> Message:
        """Append a notice to the room's history with the next seq."""


class ConversationStore(Protocol):
    async def create_room(self, name: str, topic: str, creator_id: int | None,
                          kind: Literal['public', 'private'] = 'public') -> Room:
        """Insert a room with its creator (if any) as its owner; raise Conflict if the name is taken.

        `creator_id=None` is the system creating a room (`general` on first start): no member yet.
        """

    async def create_direct(self, kind: Literal['dm', 'group'], member_ids: Sequence[int],
                            key: str | None) -> tuple[Room, bool]:
        """A nameless conversation with these members (role 'member'), in one transaction; (room, True).

        With a `key` (a 1:1's sorted ids) it is made once: when one with that key exists, also one being
        made concurrently, that one and False. NotFound('No such user') for an unknown id.
        """

    async def get_room(self, room_id: int) -> Room | None: ...

    async def get_room_by_name(self, name: str) -> Room | None: ...

    async def set_topic(self, room_id: int, topic: str) -> Room: ...

    async def list_rooms(self, query: str, limit: int, offset: int, *, member_id: int | None = None,
                         every: bool = False) -> list[Room]:
        """Rooms whose name contains `query`, by name: the public ones, plus the private ones `member_id` is in;
        every public and private room with `every`. Never a direct message."""

    async def rooms_of(self, user_id: int) -> list[Room]:
        """The rooms and direct messages the user is a member of, by name (direct messages, nameless, first)."""

    async def is_member(self, room_id: int, user_id: int) -> bool: ...

    async def standing(self, room_id: int, user_id: int) -> Standing:
        """The user's role in the room (None if not a member) and whether banned; nothing for an unknown room."""

    async def members(self, room_id: int) -> list[User]: ...

    async def roster(self, room_id: int) -> list[Member]:
        """The members with their roles, by username."""

    async def banned(self, room_id: int) -> list[User]:
        """The users banned from the room, by username."""

    def unit(self) -> contextlib.AbstractAsyncContextManager[ConversationUnit]:
        """A unit of work: one transaction for the calls made on what it yields."""
