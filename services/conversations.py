"""Direct messages: the 1:1 with a user (made once), group conversations of 3-8 people, their display names.

A direct message is a nameless room of kind 'dm' (1:1) or 'group'; posting, reading, typing, leaving a group
(Rooms.leave) and adding someone to a group (Membership.invite) are the rooms' own entry points, under the
same policy (services/policy.py). Direct messages never appear in the room lists (browse, list_joined).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import validation
from .access import authorize
from .bus.base import Bus
from .errors import NotFound, RateLimited, ValidationError
from .events import MembershipChanged, RoomCreated
from .membership import MAX_GROUP
from .models import Room, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

MIN_GROUP = 3
DIRECT_KINDS = ('dm', 'group')
SUGGESTED = 8  # names the "People" field suggests at most
_NAME_START = re.compile(r'[a-z0-9_.\-]{1,32}')


def title(room: Room, members: Sequence[User], viewer_id: int) -> str:
    """What a viewer calls a conversation: a room's name; for a direct message the other people's usernames,
    sorted, ', '-joined (a group everyone else has left: the viewer's own name)."""
    if room.kind not in DIRECT_KINDS:
        return room.name
    others = sorted(m.username for m in members if m.id != viewer_id)
    if others:
        return ', '.join(others)
    return next((m.username for m in members if m.id == viewer_id), '')


@dataclass(frozen=True, slots=True)
class Conversation:
    """A direct message as one viewer sees it: the room and its title for them."""

    room: Room
    title: str


class Conversations:
    def __init__(self, store: Store, bus: Bus, create_limit: Limiter | None = None) -> None:
        self._store = store
        self._bus = bus
        self._create_limit = create_limit if create_limit is not None else NoLimit()  # new conversations, per user

    async def _users(self, usernames: Sequence[str]) -> list[User]:
        found: list[User] = []
        for raw in usernames:
            user = await self._store.get_user_by_name(validation.username(raw))
            if user is None:
                raise NotFound(f'No such user: {validation.username(raw)}')
            found.append(user)
        return found

    async def open_dm(self, user: User, username: str) -> Room:
        """The 1:1 conversation of `user` and `username`: made on the first call (by either of them), the same one
        afterwards, also when both open it at once. NotFound 'No such user: bob'; ValidationError for oneself.

        When it is made: RoomCreated to the opener's pages, MembershipChanged (joined) to the other person's.
        """
        [other] = await self._users([username])
        if other.id == user.id:
            raise ValidationError('Pick someone other than yourself.')
        low, high = sorted((user.id, other.id))
        try:
            await self._create_limit.check(user.id)  # a new conversation counts; opening one that exists gives it back
        except RateLimited:
            if (existing := await self._existing_dm(user, other)) is None:
                raise
            return existing
        room, created = await self._store.create_direct('dm', [user.id, other.id], f'{low}:{high}')
        if created:
            await self._announce(room, user, [other])
        else:
            await self._create_limit.refund(user.id)
        return room

    async def _existing_dm(self, user: User, other: User) -> Room | None:
        # only when the limit refused: opening a conversation one already has is never refused
        for room in await self._store.rooms_of(user.id):
            if room.kind == 'dm' and other.id in {m.id for m in await self._store.members(room.id)}:
                return room
        return None

    async def open_group(self, user: User, usernames: Sequence[str]) -> Room:
        """A new group conversation of `user` and `usernames` (3 to 8 people in all; each call makes a new one).

        ValidationError outside 3-8 people; NotFound 'No such user: bob'. Publishes as open_dm.
        """
        if isinstance(usernames, str) or not isinstance(usernames, Sequence):
            raise ValidationError('Give the usernames as a list.')
        size = ValidationError(f'A group conversation has {MIN_GROUP} to {MAX_GROUP} people.')
        if len(usernames) > MAX_GROUP:  # before any lookup
            raise size
        people = {u.id: u for u in await self._users(usernames)}
        people.pop(user.id, None)  # naming oneself (or someone twice) adds no one
        if not MIN_GROUP <= len(people) + 1 <= MAX_GROUP:
            raise size
        others = sorted(people.values(), key=lambda u: u.username)
        await self._create_limit.check(user.id)  # RateLimited: each call makes a new group
        room, _ = await self._store.create_direct('group', [user.id, *(u.id for u in others)], None)
        await self._announce(room, user, others)
        return room

    async def _announce(self, room: Room, opener: User, others: Sequence[User]) -> None:
        await self._bus.publish(RoomCreated(room, opener.id))
        for other in others:
            await self._bus.publish(MembershipChanged(room.id, other.id, other.username, True, room.member_count))

    async def list_dms(self, user: User) -> list[Conversation]:
        """The direct messages `user` is in, by title."""
        rooms = [room for room in await self._store.rooms_of(user.id) if room.kind in DIRECT_KINDS]
        found = [Conversation(room, title(room, await self._store.members(room.id), user.id)) for room in rooms]
        return sorted(found, key=lambda c: (c.title, c.room.id))

    async def people(self, user: User, prefix: str, limit: int = SUGGESTED) -> list[str]:
        """Usernames that start with `prefix` (case-insensitively; never `user`'s own), by name: what the "People"
        and "Username" fields suggest. Text that cannot start a username suggests nothing."""
        if not isinstance(prefix, str):
            raise ValidationError('Search text must be text.')
        needle = prefix.strip().lower()
        if not _NAME_START.fullmatch(needle):
            return []
        count = validation.limit(limit, SUGGESTED)
        return [u.username for u in await self._store.find_users(needle, count + 1) if u.id != user.id][:count]

    async def display_name(self, user: User, room_id: int) -> str:
        """What `user` calls a room or direct message they may read (policy 'read'): see `title()`."""
        room = (await authorize(self._store, user, room_id, 'read')).room
        if room.kind not in DIRECT_KINDS:
            return room.name
        return title(room, await self._store.members(room.id), user.id)
