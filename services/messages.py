"""Messages: post, read history, edit and delete. Posting is idempotent on the page's client id."""
from __future__ import annotations

from datetime import UTC, datetime

from . import access, mentions, policy, validation
from .access import authorize
from .bus.base import Bus
from .config import Settings
from .errors import ChatError, Forbidden, NotFound, RateLimited, ValidationError
from .events import MessageDeleted, MessageEdited, MessagePosted
from .formatting import Renderer
from .models import Message, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store
from .typing import Typing

MAX_PAGE = 200  # the most messages one history read returns (the page's catch-up asks for this many)
RECENT = 50  # how far back a resend refused by the rate limit is looked for
MAX_SPAN = 1000  # the most seqs one question about deletions covers (a page shows at most 300 messages)


class Messages:
    def __init__(self, store: Store, bus: Bus, settings: Settings, typing: Typing,
                 limit: Limiter | None = None) -> None:
        self._store = store
        self._limit = limit if limit is not None else NoLimit()
        self._bus = bus
        self._settings = settings
        self._typing = typing
        self._renderer = Renderer()

    async def post(self, user: User, room_id: int, body: str, client_id: str, *,
                   reply_to: int | None = None) -> Message:
        """Store and publish a message. A retry with the same client id returns the first one, publishing nothing.

        Policy 'post' (every member, in every kind; services/policy.py): the store checks membership in the
        transaction that stores the message, and only a refusal asks the policy which error to give.

        RateLimited 'Slow down ...' past the per-user limit. A retry never uses up the allowance: its
        token is given back, and a retry refused by the limit still gets its message if it is recent.

        `reply_to`: the seq of the text message of the same room it answers (`_reply_target`: NotFound, or a
        ValidationError for a notice or a deleted message); the message then carries its ReplyRef.
        """
        cid = validation.client_id(client_id)
        room_id = access.room_id(room_id)
        # the limit before the body's per-character checks and Markdown: a flood costs a counter each
        try:
            await self._limit.check(user.id)
        except RateLimited:
            # The store has no lookup by client id; a retry that meets the limit follows its original closely.
            room = (await authorize(self._store, user, room_id, 'post')).room
            for earlier in reversed(await self._store.latest(room.id, RECENT)):
                if earlier.author_id == user.id and earlier.client_id == cid and earlier.kind == 'text':
                    return earlier
            raise
        text = validation.message_body(body, self._settings.max_message_length)
        try:  # only a text with '@' asks the store (services/mentions.py); @room past its rule: Forbidden
            named = await mentions.resolve(self._store, user, room_id, text)
            if reply_to is not None:
                await self._reply_target(user, room_id, reply_to)
        except ChatError:
            await self._limit.refund(user.id)  # nothing was posted
            raise
        html = await self._renderer.render(text, frozenset(named))
        notify = mentions.notified(html, named)
        try:
            message, created = await self._store.post_message(room_id, user, text, html, cid, mentions=notify,
                                                              reply_to=reply_to)
        except ChatError as refused:
            await self._limit.refund(user.id)  # nothing was posted
            if isinstance(refused, Forbidden):  # not a member: the policy words it (NotFound for a private room)
                await authorize(self._store, user, room_id, 'post')
            raise
        if created:
            await self._bus.publish(MessagePosted(message, notify))
            await self._typing.stopped(user, room_id)
        else:
            await self._limit.refund(user.id)
        return message

    async def _reply_target(self, user: User, room_id: int, reply_to: object) -> Message:
        """The message a reply answers: a text message of the room, not deleted (policy 'post' first)."""
        number = validation.seq(reply_to, 'The message you reply to')
        room = (await authorize(self._store, user, room_id, 'post')).room
        parent = await self._store.get_message(room.id, number)
        if parent is None:
            raise NotFound('The message you reply to does not exist')
        if parent.kind != 'text':
            raise ValidationError('You can only reply to a message, not to a notice')
        if parent.deleted:
            raise ValidationError('That message was deleted: it cannot be replied to')
        return parent

    def close(self) -> None:
        """Stop the Markdown worker process, if one was started."""
        self._renderer.close()

    async def latest(self, user: User, room_id: int, limit: int = 50) -> list[Message]:
        """The newest messages of a room `user` may read (policy 'read'), oldest first."""
        room = (await authorize(self._store, user, room_id, 'read')).room
        return await self._store.latest(room.id, validation.limit(limit, MAX_PAGE))

    async def before(self, user: User, room_id: int, before_seq: int, limit: int = 50) -> list[Message]:
        """The page of older messages just above `before_seq`, oldest first."""
        seq = validation.seq(before_seq)
        room = (await authorize(self._store, user, room_id, 'read')).room
        return await self._store.before(room.id, seq, validation.limit(limit, MAX_PAGE))

    async def after(self, user: User, room_id: int, after_seq: int, limit: int = MAX_PAGE) -> list[Message]:
        """Messages newer than `after_seq`, oldest first: the catch-up after a gap or a reconnect."""
        seq = validation.seq(after_seq)
        room = (await authorize(self._store, user, room_id, 'read')).room
        return await self._store.after(room.id, seq, validation.limit(limit, MAX_PAGE))

    async def deleted_between(self, user: User, room_id: int, first_seq: int, last_seq: int) -> list[int]:
        """Which of the seqs `first_seq`..`last_seq` (the last MAX_SPAN of them) are deleted messages, ascending:
        what a page showing them missed while it was away (policy 'read')."""
        first, last = validation.seq(first_seq), validation.seq(last_seq)
        room = (await authorize(self._store, user, room_id, 'read')).room
        return await self._store.deleted_between(room.id, max(first, last - MAX_SPAN + 1), last)

    async def edited_between(self, user: User, room_id: int, first_seq: int, last_seq: int) -> list[Message]:
        """The edited messages (not deleted) among seqs `first_seq`..`last_seq` (the last MAX_SPAN of them), ascending:
        a page showing them refreshes these after it was away, whatever it missed (policy 'read')."""
        first, last = validation.seq(first_seq), validation.seq(last_seq)
        room = (await authorize(self._store, user, room_id, 'read')).room
        return await self._store.edited_between(room.id, max(first, last - MAX_SPAN + 1), last)

    async def edit(self, user: User, room_id: int, seq: int, body: str) -> Message:
        """Replace the text of one's own message (policy 'edit_own': every member, in every kind; nobody edits
        anyone else's). Validated and rendered as a new message is; the text it replaces is kept in the store's
        edit history. Publishes MessageEdited after the commit; returns the message as stored now.

        The same text again changes nothing and publishes nothing. NotFound 'No such message'; Forbidden for a
        notice, a deleted message or someone else's; ValidationError for a bad text; RateLimited past the
        sender's message limit (an edit counts as a message).

        Mentions render as a new message's do (the room's members resolved now; @room past its rule stays
        text), but an edit notifies nobody: it writes no mention rows and publishes only MessageEdited.
        """
        number = validation.seq(seq)
        room = (await authorize(self._store, user, room_id, 'edit_own')).room
        await self._limit.check(user.id)
        try:
            message = _editable(await self._store.get_message(room.id, number), user)
            text = validation.message_body(body, self._settings.max_message_length)
            if text == message.body:
                await self._limit.refund(user.id)  # nothing changed
                return message
            named = await mentions.resolve(self._store, user, room.id, text, strict=False)
            html = await self._renderer.render(text, frozenset(named))
            edited = await self._store.edit_message(room.id, number, user.id, text, html, datetime.now(UTC))
        except ChatError:
            await self._limit.refund(user.id)  # nothing was edited
            raise
        assert edited.edited_at is not None
        await self._bus.publish(MessageEdited(edited.room_id, edited.seq, edited.id, edited.html, edited.edited_at))
        return edited

    async def get_own(self, user: User, room_id: int, seq: int) -> Message:
        """One's own message as an editor opens it (its Markdown in `body`): what `edit` would accept to change,
        with the same refusals (policy 'edit_own'; NotFound, Forbidden for a notice, a deleted message, another's)."""
        number = validation.seq(seq)
        room = (await authorize(self._store, user, room_id, 'edit_own')).room
        return _editable(await self._store.get_message(room.id, number), user)

    async def around(self, user: User, room_id: int, seq: int, limit: int = 50) -> list[Message]:
        """The page of messages around `seq`, oldest first: about half of `limit` before it, it, and the rest after
        (near either end of the room, more on the other side). A search result opens its conversation here.
        A `seq` past the newest message gives the latest page."""
        number = validation.seq(seq)
        size = validation.limit(limit, MAX_PAGE)
        room = (await authorize(self._store, user, room_id, 'read')).room
        start = max(0, number - size // 2 - 1)  # seqs are dense (a deleted message keeps its seq)
        window = await self._store.after(room.id, start, size)
        if len(window) < size and start > 0:  # the room ends soon after `seq`: fill the page with older ones
            first = window[0].seq if window else start + 1
            window = await self._store.before(room.id, first, size - len(window)) + window
        return window

    async def delete(self, user: User, room_id: int, seq: int) -> Message:
        """Delete a text message: its author may (policy 'delete_own'), so may the owner, moderators and the
        administrator (policy 'delete_other'). Everyone then sees "message deleted": body and html are emptied
        in the store and MessageDeleted is published. Returns the message as stored now.

        NotFound 'No such message'; Forbidden 'Notices cannot be deleted'. Deleting it again changes nothing.
        """
        number = validation.seq(seq)
        access = await authorize(self._store, user, room_id, 'read')
        message = await self._store.get_message(access.room.id, number)
        if message is None:
            raise NotFound('No such message')
        if message.kind != 'text':
            raise Forbidden('Notices cannot be deleted')
        action: policy.Action = 'delete_own' if message.author_id == user.id else 'delete_other'
        policy.require(action, access.room.kind, access.standing, user.is_admin)
        if await self._store.delete_message(access.room.id, number):
            await self._bus.publish(MessageDeleted(access.room.id, number, message.id, user.id))
        deleted = await self._store.get_message(access.room.id, number)
        assert deleted is not None
        return deleted


def _editable(message: Message | None, user: User) -> Message:
    """The message if `user` may edit it: their own text message, not deleted; else the refusal."""
    if message is None:
        raise NotFound('No such message')
    if message.kind != 'text':
        raise Forbidden('Notices cannot be edited')
    if message.author_id != user.id:
        raise Forbidden('You can only edit your own messages')
    if message.deleted:
        raise Forbidden('That message was deleted: it cannot be edited')
    return message
