"""A room page whose viewer is no longer a member (removed, banned, or left in another tab) goes quiet at once:
its sockets leave the room's Socket.IO room (no more broadcasts, whatever its script does), the composer makes
way for a sentence saying why, and the header's controls go. Joining again (an invitation) reloads the page."""
from __future__ import annotations

from nicegui import ui

from services.events import MemberRemoved

from .composer import Composer
from .message_list import MessageList
from .room_live import RoomLive


class Gone:
    def __init__(self, pane: MessageList, live: RoomLive, composer: Composer, container: ui.element) -> None:
        self._pane = pane
        self._live = live
        self._composer = composer
        self._container = container
        self._label: ui.label | None = None

    @property
    def shown(self) -> bool:
        return self._label is not None

    async def left(self) -> None:
        """The viewer's membership ended (the reason, if someone else ended it, follows: `removed`)."""
        await self._pane.leave_socket_room()
        self._say('You are no longer a member of this room.')

    def removed(self, event: MemberRemoved) -> None:
        how = 'banned' if event.banned else 'removed'
        self._say(f'You were {how} from this room by {event.by_username}.')

    def _say(self, text: str) -> None:
        self._live.set_abilities([])
        self._pane.set_abilities([])
        if self._label is not None:
            self._label.set_text(text)
            return
        if not self._composer.input.is_deleted:
            self._composer.input.delete()
        with self._container:
            self._label = ui.label(text).classes('chat-gone').props('role=alert').mark('gone')
