"""The left drawer's content: its head, the joined rooms, the direct messages and their buttons, in one element.

Plain HTML in one `ui.html` (every NiceGUI element costs memory on every open page). Each room link holds a
span whose text is exactly the room's name, each direct message's a span whose text is exactly the other
people's usernames, sorted and ', '-joined (the UI contract); badges go beside them. The "New room" and
"New message" buttons are plain buttons too: one delegated click handler on the element sends their
`data-action` to the server, which builds the dialog then.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from nicegui import ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.conversations import Conversation
from services.models import Room, User

Action = Callable[[], object]  # what a button does (opens a dialog): at once, as a NiceGUI button's click would
# a click inside the element: the server hears the data-action of the button clicked, if any
_CLICK = '(e) => { const b = e.target.closest("button[data-action]"); if (b) emit(b.dataset.action); }'


def head(user: User) -> str:
    admin = '<a class="chat-browse" href="/all-rooms">All rooms</a>' if user.is_admin else ''
    return (f'<div class="chat-side-head"><h2 class="chat-side-title">Rooms</h2>'
            f'<span class="chat-side-links">{admin}<a class="chat-browse" href="/rooms">Browse rooms</a></span></div>'
            f'<p class="chat-me">Signed in as <b>{escape(user.username)}</b></p>')


def _link(room_id: int, active_room_id: int | None, mark: str, name_class: str, name: str) -> str:
    active = room_id == active_room_id
    return (f'<a class="chat-room{" active" if active else ""}" href="/room/{room_id}"'
            f'{" aria-current=page" if active else ""}>{mark}'
            f'<span class="{name_class}">{escape(name)}</span></a>')


ROOM_MARK = '<span class="chat-hash" aria-hidden="true">#</span>'
DM_MARK = '<span class="chat-hash chat-at" aria-hidden="true"></span>'  # '@' drawn by CSS: the link's text is the names


def _button(action: str, icon: str, label: str) -> str:
    return (f'<button type="button" class="chat-new" data-action="{action}">'
            f'<span class="chat-icon" data-icon="{icon}" aria-hidden="true"></span>{label}</button>')


def render(rooms: list[Room], active_room_id: int | None) -> str:
    if not rooms:
        return '<p class="chat-empty">You have not joined any room yet.</p>'
    links = ''.join(_link(room.id, active_room_id, ROOM_MARK, 'chat-room-name', room.name) for room in rooms)
    return f'<nav class="chat-rooms" aria-label="Your rooms">{links}</nav>'


def render_dms(dms: list[Conversation], active_room_id: int | None) -> str:
    links = ''.join(_link(dm.room.id, active_room_id, DM_MARK, 'chat-dm-name', dm.title) for dm in dms)
    listed = (f'<nav class="chat-rooms" aria-label="Direct messages">{links}</nav>' if dms
              else '<p class="chat-empty">No direct messages yet.</p>')
    return f'<h2 class="chat-side-title chat-dm-head">Direct messages</h2>{listed}'


class RoomList:
    def __init__(self, services: Services, user: User, active_room_id: int | None,
                 actions: Mapping[str, Action]) -> None:
        self._services = services
        self._user = user
        self._active = active_room_id
        self._actions = actions
        self.html = ui.html().classes('w-full').mark('room-list')
        self.html.on('click', self._clicked, js_handler=_CLICK)

    async def load(self) -> None:
        rooms = await self._services.rooms.list_joined(self._user)
        dms = await self._services.conversations.list_dms(self._user)
        self.html.set_content(head(self._user) + render(rooms, self._active) + _button('new-room', 'add', 'New room')
                              + render_dms(dms, self._active) + _button('new-message', 'edit', 'New message'))

    def _clicked(self, e: GenericEventArguments) -> None:
        action = self._actions.get(e.args) if isinstance(e.args, str) else None
        if action is not None:
            action()
