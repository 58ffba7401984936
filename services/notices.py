"""Membership changes with their notice, written in one unit of work and published after it commits.

Every way in or out of a room (join, leave, an invitation, a removal, a ban, a group DM's new member) goes
through here, so each writes the same things: the membership, one 'join' or 'leave' notice in the room's
history (its text decided by the caller), then MessagePosted and MembershipChanged on the bus.
"""
from __future__ import annotations

import html

from .bus.base import Bus
from .errors import NotFound
from .events import MembershipChanged, MessagePosted
from .models import Message, Role, Room, User
from .store.base import ConversationStore, ConversationUnit


async def add(uow: ConversationUnit, room_id: int, member: User, text: str, role: Role = 'member') -> Message | None:
    """Add `member` with a 'join' notice saying `text`; None (and nothing written) if already a member."""
    if not await uow.add_member(room_id, member.id, role):
        return None
    return await uow.append_notice(room_id, member.id, 'join', text, html.escape(text))


async def remove(uow: ConversationUnit, room_id: int, member: User, text: str) -> Message | None:
    """Remove `member` with a 'leave' notice saying `text`; None (and nothing written) if not a member."""
    if await uow.remove_member(room_id, member.id) is None:
        return None
    return await uow.append_notice(room_id, member.id, 'leave', text, html.escape(text))


async def publish(bus: Bus, store: ConversationStore, notice: Message, member: User, joined: bool) -> Room:
    """After the commit: the notice, then the membership change with the new member count; the room as it is."""
    room = await store.get_room(notice.room_id)
    if room is None:
        raise NotFound('That room does not exist')
    await bus.publish(MessagePosted(notice))
    await bus.publish(MembershipChanged(room.id, member.id, member.username, joined, room.member_count))
    return room
