"""The in-memory store's rooms, direct messages, memberships, roles and bans, and its unit of work."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from ..errors import Conflict, NotFound
from ..models import AuthSession, Member, Message, MessageKind, MessageVersion, Role, Room, RoomKind, Standing, User


@dataclass
class RoomRow:
    room: Room
    last_seq: int = 0
    members: dict[int, Role] = field(default_factory=dict)
    bans: set[int] = field(default_factory=set)
    messages: list[Message] = field(default_factory=list)
    by_client: dict[tuple[int, str], Message] = field(default_factory=dict)
    edits: dict[int, list[MessageVersion]] = field(default_factory=dict)  # seq -> replaced texts, oldest first
    reads: dict[int, int] = field(default_factory=dict)  # user id -> read position (kept after leaving, as in SQL)
    muted: set[int] = field(default_factory=set)  # members who muted it (a membership's flag: goes with it)
    mentions: dict[int, tuple[int, ...]] = field(default_factory=dict)  # seq -> the user ids it mentions


def now() -> datetime:
    return datetime.now(UTC)


class MemoryData:
    """The state every part of the in-memory store shares. A method runs without awaiting in between, so each
    is atomic on the event loop; a unit of work holds `_unit_lock` and undoes its changes if it fails."""

    def __init__(self) -> None:
        self._users: dict[int, User] = {}
        self._hashes: dict[int, str] = {}
        self._user_by_name: dict[str, int] = {}
        self._rooms: dict[int, RoomRow] = {}
        self._room_by_name: dict[str, int] = {}
        self._room_by_key: dict[str, int] = {}
        self._next_message_id = 1
        self._sessions: dict[str, AuthSession] = {}
        self._no_receipts: set[int] = set()  # users who send no read receipts
        self._unit_lock = asyncio.Lock()

    def _row(self, room_id: int) -> RoomRow:
        row = self._rooms.get(room_id)
        if row is None:
            raise NotFound('That room does not exist')
        return row

    def _user_exists(self, user_id: int) -> None:
        if user_id not in self._users:
            raise NotFound('No such user')

    def _public(self, row: RoomRow) -> Room:
        return replace(row.room, member_count=len(row.members))

    def _append(self, row: RoomRow, author_id: int, body: str, html_: str, client_id: str | None,
                kind: MessageKind) -> Message:
        row.last_seq += 1
        message = Message(
            id=self._next_message_id, room_id=row.room.id, seq=row.last_seq, author_id=author_id,
            author_name=self._users[author_id].username, body=body, html=html_,
            # Notices get an id no client can send (':' is outside the client id charset).
            client_id=client_id if client_id is not None else f'{kind}:{row.last_seq}',
            created_at=now(), kind=kind,
        )
        self._next_message_id += 1
        row.messages.append(message)
        row.by_client[(author_id, message.client_id)] = message
        return message

    def _new_room(self, name: str, topic: str, creator_id: int | None, kind: RoomKind) -> RoomRow:
        room = Room(id=len(self._rooms) + 1, name=name, topic=topic, created_by=creator_id, created_at=now(),
                    kind=kind)
        row = RoomRow(room)
        self._rooms[room.id] = row
        return row


class MemoryUnit:
    """Applies each write at once and remembers how to undo it: `rollback()` when the unit's block raised."""

    def __init__(self, data: MemoryData) -> None:
        self._data = data
        self._undo: list[Callable[[], object]] = []

    def rollback(self) -> None:
        for undo in reversed(self._undo):
            undo()

    async def get_room(self, room_id: int) -> Room | None:
        row = self._data._rooms.get(room_id)
        return None if row is None else self._data._public(row)

    async def standing(self, room_id: int, user_id: int) -> Standing:
        row = self._data._rooms.get(room_id)
        return Standing() if row is None else Standing(row.members.get(user_id), user_id in row.bans)

    async def add_member(self, room_id: int, user_id: int, role: Role = 'member') -> bool:
        row = self._data._row(room_id)
        self._data._user_exists(user_id)
        if user_id in row.members:
            return False
        row.members[user_id] = role
        self._undo.append(lambda: row.members.pop(user_id, None))
        had = row.reads.get(user_id)  # a member starts with everything already there read
        row.reads[user_id] = row.last_seq
        self._undo.append(lambda: row.reads.pop(user_id) if had is None else row.reads.__setitem__(user_id, had))
        return True

    async def remove_member(self, room_id: int, user_id: int) -> Role | None:
        row = self._data._row(room_id)
        role = row.members.pop(user_id, None)
        if role is not None:
            self._undo.append(lambda: row.members.__setitem__(user_id, role))
            if user_id in row.muted:  # the flag is the membership's: a rejoin starts unmuted
                row.muted.discard(user_id)
                self._undo.append(lambda: row.muted.add(user_id))
        return role

    async def set_role(self, room_id: int, user_id: int, role: Role) -> bool:
        row = self._data._row(room_id)
        old = row.members.get(user_id)
        if old is None:
            return False
        row.members[user_id] = role
        self._undo.append(lambda: row.members.__setitem__(user_id, old))
        return True

    async def ban(self, room_id: int, user_id: int, by_id: int | None) -> bool:
        row = self._data._row(room_id)
        self._data._user_exists(user_id)
        if user_id in row.bans:
            return False
        row.bans.add(user_id)
        self._undo.append(lambda: row.bans.discard(user_id))
        return True

    async def unban(self, room_id: int, user_id: int) -> bool:
        row = self._data._row(room_id)
        if user_id not in row.bans:
            return False
        row.bans.discard(user_id)
        self._undo.append(lambda: row.bans.add(user_id))
        return True

    async def append_notice(self, room_id: int, author_id: int, kind: Literal['join', 'leave'], body: str,
                            html: str) -> Message:
        row = self._data._row(room_id)
        message = self._data._append(row, author_id, body, html, None, kind)

        def undo() -> None:
            row.messages.pop()
            row.by_client.pop((author_id, message.client_id), None)
            row.last_seq -= 1

        self._undo.append(undo)
        return message


class MemoryConversations(MemoryData):
    @contextlib.asynccontextmanager
    async def unit(self) -> AsyncIterator[MemoryUnit]:
        async with self._unit_lock:  # units queue, as the SQL store's writers do
            unit = MemoryUnit(self)
            try:
                yield unit
            except BaseException:
                unit.rollback()
                raise

    async def create_room(self, name: str, topic: str, creator_id: int | None,
                          kind: Literal['public', 'private'] = 'public') -> Room:
        """Insert a room with its creator as owner; Conflict if the name is taken."""
        if name.lower() in self._room_by_name:
            raise Conflict('A room with that name exists')
        if creator_id is not None:
            self._user_exists(creator_id)
        row = self._new_room(name, topic, creator_id, kind)
        if creator_id is not None:
            row.members[creator_id] = 'owner'
            row.reads[creator_id] = row.last_seq
        self._room_by_name[name.lower()] = row.room.id
        return self._public(row)

    async def create_direct(self, kind: Literal['dm', 'group'], member_ids: Sequence[int],
                            key: str | None) -> tuple[Room, bool]:
        if key is not None and (existing := self._room_by_key.get(key)) is not None:
            return self._public(self._rooms[existing]), False
        for user_id in member_ids:
            self._user_exists(user_id)
        row = self._new_room('', '', member_ids[0] if member_ids else None, kind)
        row.members.update(dict.fromkeys(member_ids, 'member'))
        row.reads.update(dict.fromkeys(member_ids, row.last_seq))
        if key is not None:
            self._room_by_key[key] = row.room.id
        return self._public(row), True

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

    async def list_rooms(self, query: str, limit: int, offset: int, *, member_id: int | None = None,
                         every: bool = False) -> list[Room]:
        """Public rooms (and private ones of `member_id`, or all with `every`) whose name contains `query`."""
        def shown(row: RoomRow) -> bool:
            kind = row.room.kind
            return kind == 'public' or (kind == 'private' and (every or member_id in row.members))

        needle = query.lower()
        rows = sorted((r for r in self._rooms.values() if shown(r) and needle in r.room.name.lower()),
                      key=lambda r: r.room.name.lower())
        start = max(offset, 0)
        return [self._public(r) for r in rows[start:start + max(limit, 0)]]

    async def rooms_of(self, user_id: int) -> list[Room]:
        rows = sorted((r for r in self._rooms.values() if user_id in r.members),
                      key=lambda r: (r.room.name.lower(), r.room.id))
        return [self._public(r) for r in rows]

    async def is_member(self, room_id: int, user_id: int) -> bool:
        row = self._rooms.get(room_id)
        return row is not None and user_id in row.members

    async def standing(self, room_id: int, user_id: int) -> Standing:
        row = self._rooms.get(room_id)
        return Standing() if row is None else Standing(row.members.get(user_id), user_id in row.bans)

    async def members(self, room_id: int) -> list[User]:
        row = self._row(room_id)
        return sorted((self._users[uid] for uid in row.members), key=lambda u: u.username)

    async def roster(self, room_id: int) -> list[Member]:
        row = self._row(room_id)
        return [Member(user, row.members[user.id]) for user in await self.members(room_id)]

    async def banned(self, room_id: int) -> list[User]:
        row = self._row(room_id)
        return sorted((self._users[uid] for uid in row.bans), key=lambda u: u.username)
