"""The in-memory store: the fake the unit tests run on. Behaves like the SQL store (same Conflicts, dense seqs)."""
from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ..errors import Conflict, Forbidden, NotFound
from ..models import Message, MessageKind, Room, User


@dataclass
class _RoomRow:
    room: Room
    last_seq: int = 0
    is_public: bool = True
    members: dict[int, datetime] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    by_client: dict[tuple[int, str], Message] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC)


class MemoryStore:
    """Every method runs without awaiting in between, so each is atomic on the event loop."""

    def __init__(self) -> None:
        self._users: dict[int, User] = {}
        self._hashes: dict[int, str] = {}
        self._user_by_name: dict[str, int] = {}
        self._rooms: dict[int, _RoomRow] = {}
        self._room_by_name: dict[str, int] = {}
        self._next_message_id = 1

    async def start(self) -> None:
        """Nothing to open."""

    async def close(self) -> None:
        """Nothing to close; the data stays for reuse (like a database that outlives a connection)."""

    # accounts
    async def create_user(self, username: str, password_hash: str) -> User:
        """Insert a user; Conflict if the name is taken case-insensitively."""
        if username.lower() in self._user_by_name:
            raise Conflict('That username is taken')
        user = User(id=len(self._users) + 1, username=username, created_at=_now())
        self._users[user.id] = user
        self._hashes[user.id] = password_hash
        self._user_by_name[username.lower()] = user.id
        return user

    async def get_user(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    async def get_credentials(self, username: str) -> tuple[User, str] | None:
        user_id = self._user_by_name.get(username.lower())
        if user_id is None:
            return None
        return self._users[user_id], self._hashes[user_id]

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        if user_id not in self._users:
            raise NotFound('No such user')
        self._hashes[user_id] = password_hash

    # rooms
    def _row(self, room_id: int) -> _RoomRow:
        row = self._rooms.get(room_id)
        if row is None:
            raise NotFound('That room does not exist')
        return row

    def _public(self, row: _RoomRow) -> Room:
        return replace(row.room, member_count=len(row.members))

    async def create_room(self, name: str, topic: str, creator_id: int | None) -> Room:
        """Insert a room with its creator as first member; Conflict if the name is taken."""
        if name.lower() in self._room_by_name:
            raise Conflict('A room with that name exists')
        if creator_id is not None and creator_id not in self._users:
            raise NotFound('No such user')
        room = Room(id=len(self._rooms) + 1, name=name, topic=topic, created_by=creator_id, created_at=_now())
        row = _RoomRow(room)
        if creator_id is not None:
            row.members[creator_id] = room.created_at
        self._rooms[room.id] = row
        self._room_by_name[name.lower()] = room.id
        return self._public(row)

    async def get_room(self, room_id: int) -> Room | None:
        row = self._rooms.get(room_id)
        return None if row is None else self._public(row)

    async def get_room_by_name(self, name: str) -> Room | None:
        room_id = self._room_by_name.get(name.lower())
        return None if room_id is None else self._public(self._rooms[room_id])

    async def set_topic(self, room_id: int, topic: str) -> Room:
        row = self._row(room_id)
        row.room = replace(row.room, topic=topic)
        return self._public(row)

    async def list_rooms(self, query: str, limit: int, offset: int) -> list[Room]:
        """Public rooms whose name contains `query` (case-insensitively), by name."""
        needle = query.lower()
        rows = sorted((r for r in self._rooms.values() if r.is_public and needle in r.room.name.lower()),
                      key=lambda r: r.room.name.lower())
        start = max(offset, 0)
        return [self._public(r) for r in rows[start:start + max(limit, 0)]]

    async def rooms_of(self, user_id: int) -> list[Room]:
        rows = sorted((r for r in self._rooms.values() if user_id in r.members), key=lambda r: r.room.name.lower())
        return [self._public(r) for r in rows]

    async def is_member(self, room_id: int, user_id: int) -> bool:
        row = self._rooms.get(room_id)
        return row is not None and user_id in row.members

    async def members(self, room_id: int) -> list[User]:
        row = self._row(room_id)
        return sorted((self._users[uid] for uid in row.members), key=lambda u: u.username)

    async def join(self, room_id: int, user_id: int, notice: str) -> Message | None:
        """Add the membership and its 'join' notice together; None if already a member."""
        row = self._row(room_id)
        if user_id not in self._users:
            raise NotFound('No such user')
        if user_id in row.members:
            return None
        row.members[user_id] = _now()
        return self._append(row, user_id, notice, html.escape(notice), None, 'join')

    async def leave(self, room_id: int, user_id: int, notice: str) -> Message | None:
        """Remove the membership and append its 'leave' notice together; None if not a member."""
        row = self._row(room_id)
        if user_id not in row.members:
            return None
        del row.members[user_id]
        return self._append(row, user_id, notice, html.escape(notice), None, 'leave')

    # messages
    def _append(self, row: _RoomRow, author_id: int, body: str, html_: str, client_id: str | None,
                kind: MessageKind) -> Message:
        row.last_seq += 1
        message = Message(
            id=self._next_message_id, room_id=row.room.id, seq=row.last_seq, author_id=author_id,
            author_name=self._users[author_id].username, body=body, html=html_,
            # Notices get an id no client can send (':' is outside the client id charset).
            client_id=client_id if client_id is not None else f'{kind}:{row.last_seq}',
            created_at=_now(), kind=kind,
        )
        self._next_message_id += 1
        row.messages.append(message)
        row.by_client[(author_id, message.client_id)] = message
        return message

    async def post_message(self, room_id: int, author: User, body: str, html: str,
                           client_id: str) -> tuple[Message, bool]:
        row = self._row(room_id)
        if author.id not in row.members:
            raise Forbidden('You are not a member of this room')
        existing = row.by_client.get((author.id, client_id))
        if existing is not None:
            return existing, False
        return self._append(row, author.id, body, html, client_id, 'text'), True

    async def latest(self, room_id: int, limit: int) -> list[Message]:
        messages = self._row(room_id).messages
        return list(messages[-limit:]) if limit > 0 else []

    async def before(self, room_id: int, before_seq: int, limit: int) -> list[Message]:
        # seqs are dense from 1, so seq n sits at index n - 1
        messages = self._row(room_id).messages
        end = max(0, min(before_seq - 1, len(messages)))
        return list(messages[max(0, end - limit):end])

    async def after(self, room_id: int, after_seq: int, limit: int) -> list[Message]:
        messages = self._row(room_id).messages
        start = max(after_seq, 0)
        return list(messages[start:start + max(limit, 0)])
