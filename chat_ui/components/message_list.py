"""The message pane element: history once as props, then live messages straight from Socket.IO.

Messages are not NiceGUI elements: each is serialised once per chat room by the bridge and
appended by `message_list.js` in every open page (the hot path in DESIGN.md).
"""
from __future__ import annotations

from typing import Any

from nicegui import core, ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.errors import ChatError
from services.messages import MAX_PAGE
from services.models import Message, Room, User

LIVE_EVENT = 'chat:msg'
MAX_WINDOW = 300


def socket_room(room_id: int) -> str:
    """The Socket.IO room of a chat room: every open page of the room has its sockets in it."""
    return f'chat-room-{room_id}'


def message_payload(message: Message) -> dict[str, Any]:
    """What a page needs to show one message; built once per message, whatever the number of viewers."""
    return {
        'room_id': message.room_id,
        'seq': message.seq,
        'kind': message.kind,
        'author': message.author_name,
        'author_id': message.author_id,
        'body': message.body if message.kind != 'text' else '',
        'html': message.html,
        'time': message.created_at.isoformat(),
    }


class MessageList(ui.element, component='message_list.js'):
    def __init__(self, services: Services, viewer: User, room: Room, history: list[Message]) -> None:
        super().__init__()
        self._services = services
        self._viewer = viewer
        self._room_id = room.id
        self._props['roomId'] = room.id
        self._props['history'] = [message_payload(m) for m in history]
        self._props['hasOlder'] = bool(history) and history[0].seq > 1
        self._props['lastSeq'] = history[-1].seq if history else 0
        self._props['maxWindow'] = MAX_WINDOW
        self.on('older', self._load_older)
        self.on('catchup', self._catch_up)
        self.on('latest', self._load_latest)
        self.client.on_connect(self._enter_socket_room)

    def _sockets(self) -> list[str]:
        # the User fixture's simulated sockets do not exist in Socket.IO
        return [sid for sid in self.client._socket_to_document_id if not sid.startswith('test-')]

    async def leave_socket_room(self) -> None:
        """Stop live delivery to this page, whatever its script does (the viewer left the room)."""
        for sid in self._sockets():
            await core.sio.leave_room(sid, socket_room(self._room_id))

    async def _enter_socket_room(self) -> None:
        # NOTE: NiceGUI's handshake put each socket of this client in a room named after the client;
        # we add them to the chat room's, then ask the page for anything it may have missed meanwhile.
        try:  # membership may have ended while this page was away (left in another tab)
            await self._services.rooms.get_room(self._viewer, self._room_id)
        except ChatError:
            return
        real = self._sockets()
        for sid in real:
            await core.sio.enter_room(sid, socket_room(self._room_id))
        if real and 'history' in self._props:
            # The page has it (it came with the HTML): do not keep ~50 messages per open page on the server.
            # A remount without it asks for the latest messages (message_list.js).
            self._props.pop('history')
        self.run_method('sync')

    async def _load_older(self, e: GenericEventArguments) -> None:
        before = _int_arg(e.args, 'before')
        try:
            older = await self._services.messages.before(self._viewer, self._room_id, before)
        except ChatError:
            older = []
        has_older = bool(older) and older[0].seq > 1
        self.run_method('prependOlder', [message_payload(m) for m in older], has_older)

    async def _catch_up(self, e: GenericEventArguments) -> None:
        after = _int_arg(e.args, 'after')
        limit = MAX_PAGE
        try:
            missed = await self._services.messages.after(self._viewer, self._room_id, after, limit)
        except ChatError:
            missed = []
        self.run_method('catchUp', [message_payload(m) for m in missed], len(missed) == limit)

    async def _load_latest(self) -> None:
        latest = await self._services.messages.latest(self._viewer, self._room_id)
        has_older = bool(latest) and latest[0].seq > 1
        last = latest[-1].seq if latest else 0
        self.run_method('setHistory', [message_payload(m) for m in latest], has_older, last)


def _int_arg(args: Any, key: str) -> int:
    """Read a non-negative int from a browser event; anything else (a hostile page) counts as 0."""
    value = args.get(key) if isinstance(args, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62 else 0
