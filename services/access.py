"""Authorisation helpers shared by the capability modules."""
from __future__ import annotations

from .errors import Forbidden, NotFound, ValidationError
from .models import Room, User
from .store.base import Store

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


async def existing_room(store: Store, raw_id: int) -> Room:
    """The room, or NotFound."""
    room = await store.get_room(room_id(raw_id))
    if room is None:
        raise NotFound('That room does not exist')
    return room


async def member_room(store: Store, user: User, room_id: int) -> Room:
    """The room if `user` has joined it: NotFound if it does not exist, Forbidden if not a member."""
    room = await existing_room(store, room_id)
    if not await store.is_member(room.id, user.id):
        raise Forbidden('You are not a member of this room')
    return room
