"""Rooms: create, browse, join, leave, members, topic."""
from __future__ import annotations

from . import notices, validation
from .access import existing_room, member_room
from .bus.base import Bus
from .errors import Conflict, NotFound, ValidationError
from .events import RoomCreated, RoomUpdated
from .models import Room, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

GENERAL = 'general'
GENERAL_TOPIC = 'Company-wide chat'
MAX_QUERY = 64


class Rooms:
    def __init__(self, store: Store, bus: Bus, create_limit: Limiter | None = None,
                 join_limit: Limiter | None = None) -> None:
        self._store = store
        self._bus = bus
        self._create_limit = create_limit if create_limit is not None else NoLimit()
        self._join_limit = join_limit if join_limit is not None else NoLimit()  # joins and leaves, per user

    async def ensure_general(self) -> Room:
        """The company-wide room, created by the system (no creator) the first time."""
        room = await self._store.get_room_by_name(GENERAL)
        if room is not None:
            return room
        try:
            return await self._store.create_room(GENERAL, GENERAL_TOPIC, None)
        except Conflict:  # another instance created it a moment ago
            room = await self._store.get_room_by_name(GENERAL)
            assert room is not None
            return room

    async def create_room(self, user: User, name: str, topic: str = '') -> Room:
        """Create a room with `user` as its first member. Conflict 'A room with that name exists'.

        RateLimited past the per-user limit; input that fails validation does not count, a taken name does.
        """
        clean_name = validation.room_name(name)
        clean_topic = validation.topic(topic)
        await self._create_limit.check(user.id)
        room = await self._store.create_room(clean_name, clean_topic, user.id)
        await self._bus.publish(RoomCreated(room, user.id))  # committed: the creator's other tabs list it
        return room

    async def list_joined(self, user: User) -> list[Room]:
        """The rooms `user` has joined, by name."""
        return await self._store.rooms_of(user.id)

    async def room_ids_of(self, user_id: int) -> list[int]:
        """The ids of the rooms a user is in: where a change of that user's presence must be shown."""
        return [room.id for room in await self._store.rooms_of(user_id)]

    async def browse(self, user: User, query: str = '', limit: int = 50, offset: int = 0) -> list[tuple[Room, bool]]:
        """Public rooms whose name contains `query`, each with whether `user` has joined it."""
        if not isinstance(query, str):
            raise ValidationError('Search text must be text.')
        needle = query.strip().lower()[:MAX_QUERY]
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValidationError('Offset must be a whole number of at least 0.')
        rooms = await self._store.list_rooms(needle, validation.limit(limit), offset)
        joined = {room.id for room in await self._store.rooms_of(user.id)}
        return [(room, room.id in joined) for room in rooms]

    async def get_room(self, user: User, room_id: int) -> Room:
        """The room if `user` is a member (NotFound / Forbidden otherwise)."""
        return await member_room(self._store, user, room_id)

    async def join(self, user: User, room_id: int) -> Room:
        """Join a room; posts 'alice joined'. Joining again changes nothing and publishes nothing.

        RateLimited past the per-user limit on joins and leaves (a join that changes nothing is free).
        """
        room = await existing_room(self._store, room_id)
        if await self._store.is_member(room.id, user.id):
            return room
        await self._join_limit.check(user.id)
        async with self._store.unit() as uow:
            notice = await notices.add(uow, room.id, user, f'{user.username} joined')
        if notice is None:
            await self._join_limit.refund(user.id)
            return await existing_room(self._store, room.id)
        return await notices.publish(self._bus, self._store, notice, user, True)

    async def leave(self, user: User, room_id: int) -> None:
        """Leave a room; posts 'alice left'. Leaving a room one is not in changes nothing.

        RateLimited past the per-user limit on joins and leaves (a leave that changes nothing is free).
        """
        room = await existing_room(self._store, room_id)
        if not await self._store.is_member(room.id, user.id):
            return
        await self._join_limit.check(user.id)
        async with self._store.unit() as uow:
            notice = await notices.remove(uow, room.id, user, f'{user.username} left')
        if notice is None:
            await self._join_limit.refund(user.id)
        else:
            await notices.publish(self._bus, self._store, notice, user, False)

    async def members(self, user: User, room_id: int) -> list[User]:
        """The members of a room `user` has joined, by username."""
        room = await member_room(self._store, user, room_id)
        return await self._store.members(room.id)

    async def set_topic(self, user: User, room_id: int, topic: str) -> Room:
        """Change the topic of a room `user` has joined; every viewer gets RoomUpdated."""
        room = await member_room(self._store, user, room_id)
        updated = await self._store.set_topic(room.id, validation.topic(topic))
        await self._bus.publish(RoomUpdated(updated))
        return updated

    async def default_room(self, user: User) -> Room:
        """Where to land after sign-in: `general` if joined, else the first joined room (NotFound if none)."""
        general = await self._store.get_room_by_name(GENERAL)
        if general is not None and await self._store.is_member(general.id, user.id):
            return general
        joined = await self._store.rooms_of(user.id)
        if not joined:
            raise NotFound('You have not joined any room yet')
        return joined[0]
