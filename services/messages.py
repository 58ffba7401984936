"""Messages: post and read history. Posting is idempotent on the page's client id."""
from __future__ import annotations

from . import access, validation
from .access import member_room
from .bus.base import Bus
from .config import Settings
from .errors import ChatError, RateLimited
from .events import MessagePosted
from .formatting import render_markdown
from .models import Message, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store
from .typing import Typing

MAX_PAGE = 200  # the most messages one history read returns (the page's catch-up asks for this many)
RECENT = 50  # how far back a resend refused by the rate limit is looked for


class Messages:
    def __init__(self, store: Store, bus: Bus, settings: Settings, typing: Typing,
                 limit: Limiter | None = None) -> None:
        self._store = store
        self._limit = limit if limit is not None else NoLimit()
        self._bus = bus
        self._settings = settings
        self._typing = typing

    async def post(self, user: User, room_id: int, body: str, client_id: str) -> Message:
        """Store and publish a message. A retry with the same client id returns the first one, publishing nothing.

        RateLimited 'Slow down ...' past the per-user limit. A retry never uses up the allowance: its
        token is given back, and a retry refused by the limit still gets its message if it is recent.
        """
        text = validation.message_body(body, self._settings.max_message_length)
        cid = validation.client_id(client_id)
        room_id = access.room_id(room_id)
        try:
            self._limit.check(user.id)
        except RateLimited:
            # The store has no lookup by client id; a retry that meets the limit follows its original closely.
            room = await member_room(self._store, user, room_id)
            for earlier in reversed(await self._store.latest(room.id, RECENT)):
                if earlier.author_id == user.id and earlier.client_id == cid and earlier.kind == 'text':
                    return earlier
            raise
        try:
            message, created = await self._store.post_message(room_id, user, text, render_markdown(text), cid)
        except ChatError:
            self._limit.refund(user.id)  # nothing was posted
            raise
        if created:
            await self._bus.publish(MessagePosted(message))
            await self._typing.stopped(user, room_id)
        else:
            self._limit.refund(user.id)
        return message

    async def latest(self, user: User, room_id: int, limit: int = 50) -> list[Message]:
        """The newest messages of a joined room, oldest first."""
        room = await member_room(self._store, user, room_id)
        return await self._store.latest(room.id, validation.limit(limit, MAX_PAGE))

    async def before(self, user: User, room_id: int, before_seq: int, limit: int = 50) -> list[Message]:
        """The page of older messages just above `before_seq`, oldest first."""
        seq = validation.seq(before_seq)
        room = await member_room(self._store, user, room_id)
        return await self._store.before(room.id, seq, validation.limit(limit, MAX_PAGE))

    async def after(self, user: User, room_id: int, after_seq: int, limit: int = MAX_PAGE) -> list[Message]:
        """Messages newer than `after_seq`, oldest first: the catch-up after a gap or a reconnect."""
        seq = validation.seq(after_seq)
        room = await member_room(self._store, user, room_id)
        return await self._store.after(room.id, seq, validation.limit(limit, MAX_PAGE))
