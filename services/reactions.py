"""Reactions: an emoji under a message, one per (message, person, emoji); a click adds mine or takes it back."""
from __future__ import annotations

from datetime import UTC, datetime

from . import emojis, validation
from .access import authorize
from .bus.base import Bus
from .errors import ChatError, Forbidden, NotFound
from .events import ReactionChanged
from .messages import MAX_SPAN
from .models import Message, Reaction, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

MAX_DISTINCT = 20  # different emoji under one message


class Reactions:
    def __init__(self, store: Store, bus: Bus, limit: Limiter | None = None) -> None:
        self._store = store
        self._bus = bus
        self._limit = limit if limit is not None else NoLimit()

    async def toggle(self, user: User, room_id: int, seq: int, emoji: str) -> bool:
        """Add `user`'s reaction `emoji` to the message at `seq`, or take it back if they had it; True when it is
        there now. See `set` for the rules and refusals."""
        return await self._change(user, room_id, seq, emoji, None)

    async def set(self, user: User, room_id: int, seq: int, emoji: str, on: bool) -> bool:
        """Make `user`'s reaction `emoji` on the message at `seq` be there (`on`) or not; returns `on`.

        Policy 'react' (the members who may post). ValidationError 'That is not an emoji' unless it is one
        emoji the data package knows (services/emojis.py), or when the message has MAX_DISTINCT different emoji
        and this is another; NotFound 'No such message'; Forbidden for a notice or a deleted message;
        RateLimited past the per-user limit. A change publishes ReactionChanged after its commit; asking for
        what is already so changes nothing, publishes nothing and costs no allowance (so racing clicks are safe).
        """
        return await self._change(user, room_id, seq, emoji, on)

    async def between(self, user: User, room_id: int, first_seq: int, last_seq: int) -> dict[int, tuple[Reaction, ...]]:
        """The reactions of seqs `first_seq`..`last_seq` (the last MAX_SPAN of them) by seq, messages without any
        left out: what a page that was away refreshes (policy 'read')."""
        first, last = validation.seq(first_seq), validation.seq(last_seq)
        room = (await authorize(self._store, user, room_id, 'read')).room
        return await self._store.reactions_between(room.id, max(first, last - MAX_SPAN + 1), last)

    async def _change(self, user: User, room_id: int, seq: int, raw: str, on: bool | None) -> bool:
        emoji = emojis.validate(raw)
        number = validation.seq(seq)
        room = (await authorize(self._store, user, room_id, 'react')).room
        await self._limit.check(user.id)
        try:
            message = _reactable(await self._store.get_message(room.id, number))
            mine = any(r.emoji == emoji and user.id in r.user_ids for r in message.reactions)
            want = (not mine) if on is None else on
            if want:
                message_id, changed = await self._store.add_reaction(room.id, number, user.id, emoji,
                                                                     datetime.now(UTC), MAX_DISTINCT)
            else:
                message_id, changed = await self._store.remove_reaction(room.id, number, user.id, emoji)
        except ChatError:
            await self._limit.refund(user.id)  # nothing changed
            raise
        if not changed:
            await self._limit.refund(user.id)
            return want
        await self._bus.publish(ReactionChanged(room.id, number, message_id, emoji, user.id, user.username, want))
        return want


def _reactable(message: Message | None) -> Message:
    if message is None:
        raise NotFound('No such message')
    if message.kind != 'text':
        raise Forbidden('Notices cannot be reacted to')
    if message.deleted:
        raise Forbidden('That message was deleted')
    return message
