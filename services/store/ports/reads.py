"""Attention: read positions, unread and mention counts, read receipts, muted conversations.

A member's read position in a room is the seq up to which they have read (a missing row means 0). Every write
that makes someone a member (creating a room, a direct message or a group, joining, being added) sets it to the
room's last seq in the same transaction; posting a text message moves the author's to that message. Positions
only move forward and never past the room's last seq. Only members have positions that count: a non-member's
questions answer None / nothing.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from ...models import ReadState, Receipt


class ReadStore(Protocol):
    async def mark_read(self, room_id: int, user_id: int, seq: int) -> ReadState | None:
        """Move the member's position to `seq` (clamped to the room's last seq), forward only, in one transaction.

        The new state, or None when nothing moved (already there or further, or not a member). NotFound for a
        room that does not exist."""

    async def mark_reads(self, entries: Sequence[tuple[int, int, int]]) -> list[tuple[int, ReadState]]:
        """Many `mark_read`s, (room_id, user_id, seq) each, in ONE transaction (what pages reported in the last
        moment): (user_id, new state) of those that moved. Entries of non-members or missing rooms move nothing."""

    async def mark_all_read(self, user_id: int) -> list[ReadState]:
        """Every conversation of the user read up to its last seq, in one transaction: the states that moved."""

    async def read_states(self, user_id: int, room_id: int | None = None) -> dict[int, ReadState]:
        """The user's state in every conversation they are a member of (only `room_id`'s when given), by room id.

        Counts stop at UNREAD_CAP. A few queries whatever the number of rooms."""

    async def receipts(self, room_id: int) -> list[Receipt]:
        """The members who send receipts and have a position past 0, with their positions, by username."""

    async def set_send_receipts(self, user_id: int, on: bool) -> None:
        """Whether the user's read positions are shown to others (NotFound 'No such user')."""

    async def sends_receipts(self, user_id: int) -> bool:
        """Whether the user shows their read positions (True by default; False for an unknown user)."""

    async def set_muted(self, room_id: int, user_id: int, muted: bool) -> bool:
        """Mute or unmute the member's conversation; True if that changed something (False for a non-member)."""

    async def members_named(self, room_id: int, lower_names: Collection[str]) -> dict[str, int]:
        """Which of these lower-cased usernames are members of the room: lower name -> user id."""
