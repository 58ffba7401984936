"""Authorisation shared by the capability modules: ids from outside, and the policy check of one room."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import policy
from .errors import NotFound, ValidationError
from .models import Room, Standing, User

MAX_ID = 2**63 - 1  # ids are BIGINT columns: a larger number cannot name a row (and overflows the driver)


def room_id(raw: object) -> int:
    """A room id from outside (URL, page event, API): a whole number, or ValidationError.

    NotFound for a whole number outside the id column's range (no such room can exist), before any query.
    """
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationError('Room id must be a whole number.')
    if not 0 < raw <= MAX_ID:
        raise NotFound('That room does not exist')
    return raw


class RoomReader(Protocol):
    """What a check reads: the store, or a unit of work (whose reads lock the room until it ends)."""

    async def get_room(self, room_id: int) -> Room | None: ...

    async def standing(self, room_id: int, user_id: int) -> Standing: ...


@dataclass(frozen=True, slots=True)
class Access:
    """A room a user may act in, and where they stand in it."""

    room: Room
    standing: Standing


async def authorize(reader: RoomReader, user: User, raw_room_id: object, action: policy.Action) -> Access:
    """The room and the user's standing if services/policy.py allows `action`; else its refusal (NotFound for a
    room that does not exist, or that the user may not know exists; Forbidden with a reason otherwise)."""
    room = await reader.get_room(room_id(raw_room_id))
    if room is None:
        raise NotFound('That room does not exist')
    standing = await reader.standing(room.id, user.id)
    policy.require(action, room.kind, standing, user.is_admin)
    return Access(room, standing)


async def abilities(reader: RoomReader, user: User, raw_room_id: object) -> frozenset[policy.Action]:
    """What `user` may do in a room they may read (policy 'read'; its refusal otherwise) that would change
    something (not 'join' for a member, nor 'leave' for anyone else): what a page shows controls for."""
    access = await authorize(reader, user, raw_room_id, 'read')
    member = access.standing.role is not None
    return frozenset(a for a in policy.ACTIONS
                     if policy.allowed(a, access.room.kind, access.standing, user.is_admin)
                     and not (a == 'join' and member) and not (a == 'leave' and not member))


async def existing_room(reader: RoomReader, raw_id: int) -> Room:
    """The room, or NotFound; for callers that decide nothing about a user (the system)."""
    room = await reader.get_room(room_id(raw_id))
    if room is None:
        raise NotFound('That room does not exist')
    return room

