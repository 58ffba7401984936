"""Attention: read positions, unread and mention counts, read receipts, muted conversations.

Pages report how far a member has read (`report`, at most about once a second each: written together with what other
pages reported within READ_BATCH seconds, in one transaction; `mark_read` writes at once); the room list shows each
conversation's unread and mention counts (`summary`, `state`); a room's pages show who has seen what
(`receipts`). Only members have read positions: the administrator reading a room they are not in moves nothing.
Every change is written in one transaction, then published: ReadMoved (a user's position moved: their pages
update badges; with `receipt`, the room's pages move their 'Seen by'), MuteChanged.
"""
from __future__ import annotations

import asyncio
import logging
import time

from . import access, validation
from .access import authorize
from .bus.base import Bus
from .config import Settings
from .errors import ValidationError
from .events import MuteChanged, ReadMoved
from .models import RECEIPTS_MAX_MEMBERS, UNREAD_CAP, ReadState, Receipt, Room, User
from .ratelimit import Limiter, NoLimit
from .store.base import Store

__all__ = ['RECEIPTS_MAX_MEMBERS', 'UNREAD_CAP', 'Reads']
log = logging.getLogger(__name__)
READ_BATCH = 0.5  # seconds: the reports of all pages in this window are written in one transaction
FLAGS_TTL = 30.0  # seconds a room's size and a user's receipts setting are reused for ReadMoved.receipt


class Reads:
    def __init__(self, store: Store, bus: Bus, settings: Settings, limit: Limiter | None = None) -> None:
        self._store = store
        self._bus = bus
        self._settings = settings
        self._limit = limit if limit is not None else NoLimit()
        self._pending: dict[tuple[int, int], tuple[User, int]] = {}  # (room id, user id) -> (user, seq) to write
        self._flusher: asyncio.Task[None] | None = None
        self._flags: dict[tuple[str, int], tuple[float, bool]] = {}  # ('room'|'user', id) -> (until, receipts)

    async def report(self, user: User, room_id: int, seq: int) -> None:
        """A page showed the room's newest message `seq` to its (visible, focused) reader: `mark_read`, but written
        with every other report of the next READ_BATCH seconds in one transaction (pages report about once a second
        each: a write and a transaction apiece would be most of the server's work). Positions of non-members and of
        rooms that do not exist do not move, as with `mark_read`; ReadMoved follows the write. ValidationError for a
        bad seq or room id, RateLimited past the per-user limit."""
        number = validation.seq(seq)
        key = (access.room_id(room_id), user.id)
        await self._limit.check(user.id)
        if key not in self._pending or self._pending[key][1] < number:
            self._pending[key] = (user, number)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush(READ_BATCH))

    async def close(self) -> None:
        """Write what was reported and not yet written (the app is stopping)."""
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
        await self._flush(0)

    async def _flush(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        pending, self._pending = self._pending, {}
        if not pending:
            return
        users = {user.id: user for user, _ in pending.values()}
        try:
            moved = await self._store.mark_reads([(room_id, user_id, seq)
                                                  for (room_id, user_id), (_, seq) in pending.items()])
            for user_id, state in moved:
                await self._publish(users[user_id], state, await self._shows_receipt(user_id, state.room_id))
        except Exception:  # the pages report again with their next read
            log.exception('writing %d read positions failed', len(pending))

    async def _shows_receipt(self, user_id: int, room_id: int) -> bool:
        """Whether the user's position shows as a receipt in the room (the room's size and the user's setting, each
        read at most every FLAGS_TTL seconds)."""
        now = time.monotonic()
        small = self._flags.get(('room', room_id))
        if small is None or small[0] < now:
            room = await self._store.get_room(room_id)
            small = (now + FLAGS_TTL, room is not None and room.member_count <= RECEIPTS_MAX_MEMBERS)
            self._flags[('room', room_id)] = small
        if not small[1]:
            return False
        sends = self._flags.get(('user', user_id))
        if sends is None or sends[0] < now:
            sends = (now + FLAGS_TTL, await self._store.sends_receipts(user_id))
            self._flags[('user', user_id)] = sends
        return sends[1]

    async def mark_read(self, user: User, room_id: int, seq: int) -> ReadState | None:
        """Move the user's read position in the room to `seq` (clamped to the room's last message; forward only).

        Policy 'read' (NotFound / Forbidden as every entry point); ValidationError for a bad seq; RateLimited past
        the per-user limit. Returns the new state, or None when nothing moved (then nothing is published) or the
        user is not a member (the administrator reading a room they are not in: nothing is written).
        """
        number = validation.seq(seq)
        await self._limit.check(user.id)
        room = await self._member_room(user, room_id)
        if room is None:
            return None
        state = await self._store.mark_read(room.id, user.id, number)
        if state is not None:
            await self._publish(user, state, await self._receipt(user, room))
        return state

    async def mark_all_read(self, user: User) -> list[ReadState]:
        """Every room and direct message of the user read up to its last message, in one transaction: the states
        that moved (one ReadMoved each)."""
        await self._limit.check(user.id)
        moved = await self._store.mark_all_read(user.id)
        if moved:
            sends = await self._store.sends_receipts(user.id)
            rooms = {r.id: r for r in await self._store.rooms_of(user.id)}
            for state in moved:
                room = rooms.get(state.room_id)
                await self._publish(user, state, sends and room is not None
                                    and room.member_count <= RECEIPTS_MAX_MEMBERS)
        return moved

    async def summary(self, user: User) -> dict[int, ReadState]:
        """The user's state in every room and direct message they are a member of, by room id (counts capped at
        UNREAD_CAP)."""
        return await self._store.read_states(user.id)

    async def state(self, user: User, room_id: int) -> ReadState | None:
        """The user's state in one room; None when they are not a member (or there is no such room)."""
        number = access.room_id(room_id)
        return (await self._store.read_states(user.id, number)).get(number)

    async def receipts(self, user: User, room_id: int) -> list[Receipt]:
        """Policy 'read': the members who send receipts and how far they read (the viewer included; positions 0
        left out), by username. [] when the viewer sends none themselves, or the room has more than
        RECEIPTS_MAX_MEMBERS members."""
        room = (await authorize(self._store, user, room_id, 'read')).room
        if room.member_count > RECEIPTS_MAX_MEMBERS or not await self._store.sends_receipts(user.id):
            return []
        return await self._store.receipts(room.id)

    async def set_send_receipts(self, user: User, on: bool) -> None:
        """Whether others see how far the user has read (and whether the user sees theirs)."""
        if not isinstance(on, bool):
            raise ValidationError('Choose on or off.')
        await self._store.set_send_receipts(user.id, on)
        self._flags.pop(('user', user.id), None)  # this process's next receipts follow it at once

    async def sends_receipts(self, user: User) -> bool:
        return await self._store.sends_receipts(user.id)

    async def set_muted(self, user: User, room_id: int, muted: bool) -> None:
        """Mute or unmute a conversation for the user: members only (policy 'post', every member of every kind:
        NotFound / Forbidden otherwise). Publishes MuteChanged when it changed."""
        if not isinstance(muted, bool):
            raise ValidationError('Choose on or off.')
        room = (await authorize(self._store, user, room_id, 'post')).room
        if await self._store.set_muted(room.id, user.id, muted):
            await self._bus.publish(MuteChanged(room.id, user.id, muted))

    async def _member_room(self, user: User, room_id: int) -> Room | None:
        found = await authorize(self._store, user, room_id, 'read')
        return found.room if found.standing.role is not None else None

    async def _receipt(self, user: User, room: Room) -> bool:
        return room.member_count <= RECEIPTS_MAX_MEMBERS and await self._store.sends_receipts(user.id)

    async def _publish(self, user: User, state: ReadState, receipt: bool) -> None:
        await self._bus.publish(ReadMoved(state.room_id, user.id, user.username, state.last_read_seq, state.unread,
                                          state.mentions, receipt, state.last_seq))
