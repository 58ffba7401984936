"""The single bus subscriber of this process: hands each event to the open pages that watch it.

Messages (the hot path) go out once per chat room as a Socket.IO broadcast (under load, the messages
of a room that arrive within BATCH_GAP of its last broadcast go out together as one list); everything else
(membership, typing, topic changes, and presence in batches per room) goes to per-topic NiceGUI
`Event`s whose page subscriptions die with their client.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from nicegui import Event, background_tasks, core

from services.bootstrap import Services
from services.events import Event as ChatEvent
from services.events import MembershipChanged, MessagePosted, PresenceChanged
from services.models import PresenceStatus

from .components.message_list import LIVE_EVENT, message_payload, socket_room

BATCH_GAP = 0.01  # seconds: a room's broadcasts are at least this far apart; at low rates nothing waits
PRESENCE_GAP = 1.0  # seconds: a room's pages get presence changes at most this often, as one batch


@dataclass(frozen=True, slots=True)
class PresenceBatch:
    """The presence changes of a room's members over the last PRESENCE_GAP, for its open pages.

    A thousand people connecting to a room of a thousand would otherwise be a million page updates.
    """

    room_id: int
    statuses: dict[int, PresenceStatus]


class Bridge:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._topics: dict[str, Event[Any]] = {}
        self._pending: dict[int, list[dict[str, Any]]] = {}  # room id -> payloads of the next broadcast
        self._last_broadcast: dict[int, float] = {}
        self._presence: dict[int, dict[int, PresenceStatus]] = {}  # room id -> changes not yet handed out
        services.bus.on_reconnect(self.resync)

    def topic(self, name: str) -> Event[Any]:
        """The NiceGUI event for a topic (`room:<id>` or `user:<id>`); pages subscribe to it."""
        if name not in self._topics:
            self._topics[name] = Event()
        return self._topics[name]

    async def handle(self, event: ChatEvent) -> None:
        if isinstance(event, MessagePosted):
            room_id = event.message.room_id
            self._queue(room_id, message_payload(event.message))  # serialised once, whatever the number of viewers
        elif isinstance(event, PresenceChanged):
            # a member panel shows room members: hand the change to the rooms the user is in
            for room_id in await self._services.rooms.room_ids_of(event.user_id):
                pending = self._presence.setdefault(room_id, {})
                if not pending:
                    asyncio.get_running_loop().call_later(PRESENCE_GAP, self._hand_out_presence, room_id)
                pending[event.user_id] = event.status
        elif isinstance(event, MembershipChanged):
            self._emit(event.topic, event)
            self._emit(f'user:{event.user_id}', event)  # the member's own room list, in every tab
        else:
            self._emit(event.topic, event)

    async def resync(self) -> None:
        """After the bus reconnected (events from other instances were lost meanwhile): resend each open room's
        latest message; a page that lacks messages before it sees the gap and catches up by sequence number."""
        prefix = socket_room(0)[:-1]
        open_rooms = [name for name in core.sio.manager.rooms.get('/', {}) if str(name).startswith(prefix)]
        for name in open_rooms:
            room_id = int(name[len(prefix):])
            if latest := await self._services.store.latest(room_id, 1):
                self._queue(room_id, message_payload(latest[0]))

    def _queue(self, room_id: int, payload: dict[str, Any]) -> None:
        if room_id in self._pending:
            self._pending[room_id].append(payload)  # a broadcast of this room is already scheduled
        else:
            self._pending[room_id] = [payload]
            background_tasks.create(self._broadcast(room_id), name=f'broadcast room {room_id}')

    async def _broadcast(self, room_id: int) -> None:
        """One Socket.IO emit for what is pending in the room: a payload, or a list of them in seq order."""
        wait = self._last_broadcast.get(room_id, 0.0) + BATCH_GAP - time.monotonic()
        await asyncio.sleep(max(0.0, wait))  # also lets messages published in this loop turn join
        batch = self._pending.pop(room_id, [])
        self._last_broadcast[room_id] = time.monotonic()
        batch.sort(key=lambda p: p['seq'])
        if batch:
            await core.sio.emit(LIVE_EVENT, batch[0] if len(batch) == 1 else batch, room=socket_room(room_id))

    def _hand_out_presence(self, room_id: int) -> None:
        if changed := self._presence.pop(room_id, None):
            background_tasks.create(self._hand_out_current(room_id, list(changed)), name=f'presence room {room_id}')

    async def _hand_out_current(self, room_id: int, user_ids: list[int]) -> None:
        # What presence says now, not what the events said: transitions decided on two instances may arrive
        # in either order, and the one that arrives last must not leave a stale status on the pages.
        statuses = await self._services.presence.statuses(user_ids)
        self._emit(f'room:{room_id}', PresenceBatch(room_id, statuses))

    def _emit(self, topic: str, event: ChatEvent | PresenceBatch) -> None:
        if (subscribers := self._topics.get(topic)) is not None:
            subscribers.emit(event)
