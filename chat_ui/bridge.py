"""The single bus subscriber of this process: hands each event to the open pages that watch it.

Messages (the hot path) go out once per chat room as a Socket.IO broadcast; everything else
(membership, typing, presence, topic changes) goes to per-topic NiceGUI `Event`s whose page
subscriptions die with their client.
"""
from __future__ import annotations

from typing import Any

from nicegui import Event, core

from services.bootstrap import Services
from services.events import Event as ChatEvent
from services.events import MembershipChanged, MessagePosted, PresenceChanged

from .components.message_list import LIVE_EVENT, message_payload, socket_room


class Bridge:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._topics: dict[str, Event[Any]] = {}

    def topic(self, name: str) -> Event[Any]:
        """The NiceGUI event for a topic (`room:<id>` or `user:<id>`); pages subscribe to it."""
        if name not in self._topics:
            self._topics[name] = Event()
        return self._topics[name]

    async def handle(self, event: ChatEvent) -> None:
        if isinstance(event, MessagePosted):
            message = event.message
            await core.sio.emit(LIVE_EVENT, message_payload(message), room=socket_room(message.room_id))
        elif isinstance(event, PresenceChanged):
            # a member panel shows room members: hand the change to the rooms the user is in
            for room_id in await self._services.rooms.room_ids_of(event.user_id):
                self._emit(f'room:{room_id}', event)
        elif isinstance(event, MembershipChanged):
            self._emit(event.topic, event)
            self._emit(f'user:{event.user_id}', event)  # the member's own room list, in every tab
        else:
            self._emit(event.topic, event)

    def _emit(self, topic: str, event: ChatEvent) -> None:
        if (subscribers := self._topics.get(topic)) is not None:
            subscribers.emit(event)
