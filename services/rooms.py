"""Rooms: create, browse, join, leave, members, topic. Who may do what: services/policy.py."""
from __future__ import annotations

from . import access, notices, policy, validation
from .access import authorize, existing_room
from .bus.base import Bus
from .errors import Conflict, Forbidden, NotFound, ValidationError
from .events import RoomCreated, RoomUpdated
from .models import Member, Room, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

GENERAL = 'general'
GENERAL_TOPIC = 'Company-wide chat'
MAX_QUERY = 64
ROOM_KINDS = ('public', 'private')  # what the room lists show; 'dm' and 'group' are direct messages


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

    async def create_room(self, user: User, name: str, topic: str = '', private: bool = False) -> Room:
        """Create a room with `user` as its owner and first member; `private`: listed to its members only.

        Conflict 'A room with that name exists' (private and public rooms share names). RateLimited past the
        per-user limit; input that fails validation does not count, a taken name does. Publishes RoomCreated
        to the creator's pages only.
        """
        clean_name = validation.room_name(name)
        clean_topic = validation.topic(topic)
        if not isinstance(private, bool):
            raise ValidationError('Private must be true or false.')
        await self._create_limit.check(user.id)
        room = await self._store.create_room(clean_name, clean_topic, user.id, 'private' if private else 'public')
        await self._bus.publish(RoomCreated(room, user.id))  # committed: the creator's other tabs list it
        return room

    async def list_joined(self, user: User) -> list[Room]:
        """The rooms (public and private, not direct messages: see Conversations.list_dms) `user` is in, by name."""
        return [room for room in await self._store.rooms_of(user.id) if room.kind in ROOM_KINDS]

    async def room_ids_of(self, user_id: int) -> list[int]:
        """The ids of the rooms and direct messages a user is in: where a change of their presence is shown."""
        return [room.id for room in await self._store.rooms_of(user_id)]

    async def browse(self, user: User, query: str = '', limit: int = 50, offset: int = 0) -> list[tuple[Room, bool]]:
        """Public rooms (and the private ones `user` is in) whose name contains `query`, each with whether
        `user` has joined it. Never a direct message."""
        needle, clean_limit = self._search(query, limit, offset)
        rooms = await self._store.list_rooms(needle, clean_limit, offset, member_id=user.id)
        joined = {room.id for room in await self._store.rooms_of(user.id)}
        return [(room, room.id in joined) for room in rooms]

    async def all_rooms(self, user: User, query: str = '', limit: int = 50, offset: int = 0) -> list[Room]:
        """Every public and private room whose name contains `query`: the administrator's list (Forbidden else)."""
        if not user.is_admin:
            raise Forbidden('Only the administrator can list every room')
        needle, clean_limit = self._search(query, limit, offset)
        return await self._store.list_rooms(needle, clean_limit, offset, every=True)

    @staticmethod
    def _search(query: str, limit: int, offset: int) -> tuple[str, int]:
        if not isinstance(query, str):
            raise ValidationError('Search text must be text.')
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValidationError('Offset must be a whole number of at least 0.')
        return query.strip().lower()[:MAX_QUERY], validation.limit(limit)

    async def abilities(self, user: User, room_id: int) -> frozenset[policy.Action]:
        """The policy's actions `user` may take in a room they may read: which controls their page shows."""
        return await access.abilities(self._store, user, room_id)

    async def get_room(self, user: User, room_id: int) -> Room:
        """The room if `user` may read it (policy 'read'; NotFound / Forbidden otherwise)."""
        return (await authorize(self._store, user, room_id, 'read')).room

    async def join(self, user: User, room_id: int) -> Room:
        """Join a room; posts 'alice joined'. Joining again changes nothing and publishes nothing.

        Policy 'join': anyone may join a public room, the administrator any room; a banned user gets
        Forbidden 'You are banned from this room' (NotFound for a private one). RateLimited past the per-user
        limit on joins and leaves (a join that changes nothing is free).
        """
        access = await authorize(self._store, user, room_id, 'join')
        room = access.room
        if access.standing.role is not None:
            return room
        await self._join_limit.check(user.id)
        async with self._store.unit() as uow:
            # checked again under the room's lock: a ban may have come in between
            await authorize(uow, user, room.id, 'join')
            notice = await notices.add(uow, room.id, user, f'{user.username} joined')
        if notice is None:
            await self._join_limit.refund(user.id)
            return await existing_room(self._store, room.id)
        return await notices.publish(self._bus, self._store, notice, user, True)

    async def leave(self, user: User, room_id: int) -> None:
        """Leave a room or a group conversation; posts 'alice left'. Leaving a room one is not in changes nothing.

        Forbidden 'You cannot leave a direct message' for a 1:1. RateLimited past the per-user limit on joins and
        leaves (a leave that changes nothing is free).
        """
        access = await authorize(self._store, user, room_id, 'leave')
        if access.standing.role is None:
            return
        await self._join_limit.check(user.id)
        async with self._store.unit() as uow:
            notice = await notices.remove(uow, access.room.id, user, f'{user.username} left')
        if notice is None:
            await self._join_limit.refund(user.id)
        else:
            await notices.publish(self._bus, self._store, notice, user, False)

    async def members(self, user: User, room_id: int) -> list[User]:
        """The members of a room `user` may see the members of (policy 'list_members'), by username."""
        access = await authorize(self._store, user, room_id, 'list_members')
        return await self._store.members(access.room.id)

    async def roster(self, user: User, room_id: int) -> list[Member]:
        """As `members`, each with their role (owner, moderator, member)."""
        access = await authorize(self._store, user, room_id, 'list_members')
        return await self._store.roster(access.room.id)

    async def set_topic(self, user: User, room_id: int, topic: str) -> Room:
        """Change the topic (policy 'set_topic': the owner, moderators, the administrator); viewers get RoomUpdated."""
        clean = validation.topic(topic)
        access = await authorize(self._store, user, room_id, 'set_topic')
        updated = await self._store.set_topic(access.room.id, clean)
        await self._bus.publish(RoomUpdated(updated))
        return updated

    async def default_room(self, user: User) -> Room:
        """Where to land after sign-in: `general` if joined, else the first joined room (NotFound if none)."""
        general = await self._store.get_room_by_name(GENERAL)
        if general is not None and await self._store.is_member(general.id, user.id):
            return general
        joined = await self.list_joined(user)
        if not joined:
            raise NotFound('You have not joined any room yet')
        return joined[0]
