"""The in-memory store's reactions and reply references: what its history reads add to each message."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..errors import Forbidden, NotFound, ValidationError
from ..models import Message, Reaction
from .memory_rooms import MemoryData, RoomRow
from .replies import aggregate, reply_ref


class MemoryReactions(MemoryData):
    """Reactions per message id, in the order they were added; the parent seq of each reply."""

    def __init__(self) -> None:
        super().__init__()
        self._reactions: dict[int, dict[tuple[int, str], datetime]] = {}  # message id -> (user, emoji) -> when
        self._replies: dict[int, int] = {}  # message id -> the seq of the message it answers

    def _reactions_of(self, message_id: int) -> tuple[Reaction, ...]:
        rows = self._reactions.get(message_id, {})
        return aggregate([(emoji, user_id, self._users[user_id].username) for user_id, emoji in rows])

    def _dress(self, row: RoomRow, message: Message) -> Message:
        """The message as a history read gives it: with its reactions and what it replies to, as they are now."""
        parent_seq = self._replies.get(message.id)
        reply = None
        if parent_seq is not None and 0 < parent_seq <= len(row.messages):
            parent = row.messages[parent_seq - 1]
            reply = reply_ref(parent.seq, parent.author_name, parent.body, parent.deleted)
        reactions = self._reactions_of(message.id)
        if not reactions and reply is None:
            return message
        return replace(message, reactions=reactions, reply_to=reply)

    def _dressed(self, room_id: int, messages: list[Message]) -> list[Message]:
        row = self._row(room_id)
        return [self._dress(row, m) for m in messages]

    def _reactable(self, room_id: int, seq: int) -> Message:
        row = self._row(room_id)
        message = row.messages[seq - 1] if 0 < seq <= len(row.messages) else None
        if message is None:
            raise NotFound('No such message')
        return message

    async def add_reaction(self, room_id: int, seq: int, user_id: int, emoji: str, at: datetime,
                           max_distinct: int) -> tuple[int, bool]:
        message = self._reactable(room_id, seq)
        self._user_exists(user_id)
        if message.kind != 'text':
            raise Forbidden('Notices cannot be reacted to')
        if message.deleted:
            raise Forbidden('That message was deleted')
        rows = self._reactions.setdefault(message.id, {})
        if (user_id, emoji) in rows:
            return message.id, False
        if emoji not in {e for _, e in rows} and len({e for _, e in rows}) >= max_distinct:
            raise ValidationError(f'A message can have at most {max_distinct} different reactions')
        rows[(user_id, emoji)] = at
        return message.id, True

    async def remove_reaction(self, room_id: int, seq: int, user_id: int, emoji: str) -> tuple[int, bool]:
        message = self._reactable(room_id, seq)
        rows = self._reactions.get(message.id, {})
        removed = rows.pop((user_id, emoji), None) is not None
        if not rows:
            self._reactions.pop(message.id, None)
        return message.id, removed

    async def reactions_between(self, room_id: int, first_seq: int,
                                last_seq: int) -> dict[int, tuple[Reaction, ...]]:
        messages = self._row(room_id).messages[max(first_seq, 1) - 1:max(last_seq, 0)]
        return {m.seq: found for m in messages if (found := self._reactions_of(m.id))}
