"""Who is in a room, decided by its people: invite (add at once), remove, ban, unban, roles.

Every entry point asks services/policy.py (the action, then whom it may hit), inside the unit of work
that makes the change, so a check and its change cannot be separated by a concurrent one.
"""
from __future__ import annotations

from typing import Literal, get_args

from . import notices, policy, validation
from .access import authorize
from .bus.base import Bus
from .errors import Forbidden, NotFound, ValidationError
from .events import MemberRemoved, RoleChanged
from .models import Message, Role, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

MAX_GROUP = 8  # people in a group conversation
GIVEN_ROLES: tuple[Role, ...] = ('moderator', 'member')  # the owner is whoever created the room
MemberAction = Literal['make_moderator', 'make_member', 'remove', 'ban']


class Membership:
    def __init__(self, store: Store, bus: Bus, limit: Limiter | None = None) -> None:
        self._store = store
        self._bus = bus
        self._limit = limit if limit is not None else NoLimit()  # invitations and moderation, per acting user

    async def _user(self, username: str) -> User:
        name = validation.username(username)
        user = await self._store.get_user_by_name(name)
        if user is None:
            raise NotFound('No such user')
        return user

    async def invite(self, user: User, room_id: int, username: str) -> User:
        """Add `username` to a room (or a group conversation) at once; posts 'alice added carol'. Returns them.

        Policy 'invite': the owner, moderators and the administrator; any member of a public room or a group.
        Forbidden 'They are banned from this room' until unbanned; ValidationError when a group would pass
        MAX_GROUP people. Adding a member again changes nothing. Publishes MessagePosted and
        MembershipChanged (which the bridge also hands to the invitee's pages: their room list shows it).
        """
        await self._limit.check(user.id)  # RateLimited: CHAT_MODERATE_BURST / _EVERY per acting user
        invitee = await self._user(username)
        async with self._store.unit() as uow:
            access = await authorize(uow, user, room_id, 'invite')
            room = access.room
            standing = await uow.standing(room.id, invitee.id)
            if standing.role is not None:
                return invitee
            if standing.banned:
                raise Forbidden('They are banned from this room')
            if room.kind == 'group' and room.member_count >= MAX_GROUP:
                raise ValidationError(f'A group conversation has at most {MAX_GROUP} people.')
            notice = await notices.add(uow, room.id, invitee, f'{user.username} added {invitee.username}')
        if notice is not None:
            await notices.publish(self._bus, self._store, notice, invitee, True)
        return invitee

    async def remove(self, user: User, room_id: int, username: str) -> None:
        """Remove a member; posts 'alice removed bob'. Removing someone who is not a member changes nothing.

        Policy 'remove' (owner, moderators, administrator), then policy.check_target: not oneself, not the owner,
        a moderator only by the owner or the administrator. The removed may join a public room again.
        """
        await self._limit.check(user.id)  # RateLimited: CHAT_MODERATE_BURST / _EVERY per acting user
        target = await self._user(username)
        async with self._store.unit() as uow:
            access = await authorize(uow, user, room_id, 'remove')
            standing = await uow.standing(access.room.id, target.id)
            policy.check_target('remove', access.standing, user.is_admin, standing, target.id == user.id)
            notice = await notices.remove(uow, access.room.id, target, f'{user.username} removed {target.username}')
        await self._published(notice, target, MemberRemoved(access.room.id, target.id, user.username, False))

    async def ban(self, user: User, room_id: int, username: str) -> None:
        """Ban a user (a member is removed too, with 'alice banned bob'): they cannot join or be added until unbanned.

        Policy 'ban' and policy.check_target as `remove`. A non-member may be banned ahead; banning again changes
        nothing.
        """
        await self._limit.check(user.id)  # RateLimited: CHAT_MODERATE_BURST / _EVERY per acting user
        target = await self._user(username)
        async with self._store.unit() as uow:
            access = await authorize(uow, user, room_id, 'ban')
            standing = await uow.standing(access.room.id, target.id)
            policy.check_target('ban', access.standing, user.is_admin, standing, target.id == user.id)
            await uow.ban(access.room.id, target.id, user.id)
            notice = await notices.remove(uow, access.room.id, target, f'{user.username} banned {target.username}')
        await self._published(notice, target, MemberRemoved(access.room.id, target.id, user.username, True))

    async def unban(self, user: User, room_id: int, username: str) -> None:
        """Lift a ban (policy 'unban'): they may join or be added again. Unbanning one not banned changes nothing."""
        await self._limit.check(user.id)  # RateLimited: CHAT_MODERATE_BURST / _EVERY per acting user
        target = await self._user(username)
        async with self._store.unit() as uow:
            access = await authorize(uow, user, room_id, 'unban')
            await uow.unban(access.room.id, target.id)

    async def banned(self, user: User, room_id: int) -> list[User]:
        """The users banned from a room, by username: for those who may unban them (policy 'unban')."""
        access = await authorize(self._store, user, room_id, 'unban')
        return await self._store.banned(access.room.id)

    async def set_role(self, user: User, room_id: int, username: str, role: str) -> None:
        """Make a member a moderator, or a moderator a member again; viewers get RoleChanged.

        Policy 'set_role' (the owner, the administrator). ValidationError for a role other than moderator or
        member; NotFound 'They are not a member of this room'; Forbidden for oneself or the owner.
        """
        await self._limit.check(user.id)  # RateLimited: CHAT_MODERATE_BURST / _EVERY per acting user
        if role not in GIVEN_ROLES:
            raise ValidationError('A role is moderator or member.')
        given: Role = next(r for r in get_args(Role) if r == role)
        target = await self._user(username)
        async with self._store.unit() as uow:
            access = await authorize(uow, user, room_id, 'set_role')
            standing = await uow.standing(access.room.id, target.id)
            if standing.role is None:
                raise NotFound('They are not a member of this room')
            policy.check_target('set_role', access.standing, user.is_admin, standing, target.id == user.id)
            changed = standing.role != given and await uow.set_role(access.room.id, target.id, given)
        if changed:
            await self._bus.publish(RoleChanged(access.room.id, target.id, target.username, given))

    async def actions_on(self, user: User, room_id: int, username: str) -> list[MemberAction]:
        """What `user` may do to the member `username` (services/policy.py: the table, then whom it may hit), in
        the order a menu shows them: the controls of a member's entry. [] for a non-member or oneself."""
        target = await self._user(username)
        access = await authorize(self._store, user, room_id, 'read')
        standing = await self._store.standing(access.room.id, target.id)
        if standing.role is None:
            return []
        found: list[MemberAction] = []
        kind = access.room.kind
        steps: tuple[tuple[Literal['set_role', 'remove', 'ban'], MemberAction], ...] = (
            ('set_role', 'make_moderator' if standing.role == 'member' else 'make_member'),
            ('remove', 'remove'), ('ban', 'ban'))
        for action, given in steps:
            if not policy.allowed(action, kind, access.standing, user.is_admin):
                continue
            try:
                policy.check_target(action, access.standing, user.is_admin, standing, target.id == user.id)
            except Forbidden:
                continue
            found.append(given)
        return found

    async def _published(self, notice: Message | None, member: User, removed: MemberRemoved | None = None) -> None:
        if notice is not None:
            await notices.publish(self._bus, self._store, notice, member, False)
            if removed is not None:  # after MembershipChanged: their pages first go quiet, then say why
                await self._bus.publish(removed)
