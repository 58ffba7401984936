"""Reactions: emoji under a message, one row per (message, user, emoji)."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ...models import Reaction


class ReactionStore(Protocol):
    async def add_reaction(self, room_id: int, seq: int, user_id: int, emoji: str, at: datetime,
                           max_distinct: int) -> tuple[int, bool]:
        """Add `user_id`'s reaction `emoji` to the message at `seq`, in one transaction: (the message's id, whether it
        was added just now). Already there: (id, False), nothing changes (of two racing adds, one gets True).

        NotFound 'No such message' (or the room's NotFound; 'No such user'); Forbidden for a notice
        ('Notices cannot be reacted to') or a deleted message; ValidationError when the message has `max_distinct`
        different emoji already and this is another one.
        """

    async def remove_reaction(self, room_id: int, seq: int, user_id: int, emoji: str) -> tuple[int, bool]:
        """Take back that reaction: (the message's id, whether it was removed just now). Not there: (id, False).
        NotFound 'No such message' (or the room's NotFound)."""

    async def reactions_between(self, room_id: int, first_seq: int,
                                last_seq: int) -> dict[int, tuple[Reaction, ...]]:
        """The reactions of the messages from `first_seq` to `last_seq` (both included) by seq; a message without
        any is left out (NotFound if the room does not exist). What a page that was away refreshes."""
