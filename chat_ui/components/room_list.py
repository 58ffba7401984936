"""The left drawer's content: its head, the joined rooms, the direct messages and their buttons, in one element.

Plain HTML in one element (every NiceGUI element costs memory on every open page): `ui.html` with a component of
its own, room_list.js, which also keeps the unread and mention badges, the tab title and browser notifications
live. Each room link holds a span whose text is exactly the room's name, each direct message's a span whose text
is exactly the other people's usernames, sorted and ', '-joined (the UI contract); the link carries
`data-unread` and `data-mentions` and its badge sits beside the name. The "New room", "New message" and
"Mark all as read" buttons are plain buttons too: one delegated click handler on the element sends their
`data-action` to the server, which acts then.

Live badges cost a broadcast, not an update per page: the page's sockets join a Socket.IO room per conversation in
the drawer (`drawer_room`, the active one excepted: its messages already come as `chat:msg`), where the bridge sends
each new message's summary once (`chat:activity`), and the user's own room (`user_room`), where it sends their read
positions, coalesced to one emit a second (`chat:attn`). The counts themselves are the server's: they come with the
page and again after every reconnect; between those the browser adds what arrives (room_list.js).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from nicegui import background_tasks, core, ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.conversations import Conversation
from services.errors import ChatError
from services.models import ReadState, Room, User

from .message_list import known_sockets

log = logging.getLogger(__name__)

Action = Callable[[], object]  # what a button does (opens a dialog): at once, as a NiceGUI button's click would
# a click inside the element: the server hears the data-action of the button clicked, if any
_CLICK = '(e) => { const b = e.target.closest("button[data-action]"); if (b) emit(b.dataset.action); }'


def head(user: User) -> str:
    admin = '<a class="chat-browse" href="/all-rooms">All rooms</a>' if user.is_admin else ''
    return (f'<div class="chat-side-head"><h2 class="chat-side-title">Rooms</h2>'
            f'<span class="chat-side-links">{admin}<a class="chat-browse" href="/rooms">Browse rooms</a></span></div>'
            f'<p class="chat-me">Signed in as <b>{escape(user.username)}</b></p>')


def drawer_room(room_id: int) -> str:
    """The Socket.IO room where the drawers listing a conversation hear of its new messages (`chat:activity`)."""
    return f'chat-drawer-{room_id}'


def user_room(user_id: int) -> str:
    """The Socket.IO room of a user's open pages: their read positions and mutes (`chat:attn`)."""
    return f'chat-user-{user_id}'


UNREAD_SHOWN = 999  # more shows as "999+"


def badge(state: ReadState | None) -> tuple[int, int, str]:
    """(unread shown, mentions, the badge's HTML) of a conversation: a muted one counts only mentions."""
    if state is None:
        return 0, 0, ''
    unread = 0 if state.muted else state.unread
    if not unread and not state.mentions:
        return 0, 0, ''
    text = (f'{UNREAD_SHOWN}+' if unread > UNREAD_SHOWN else str(unread)) if unread else f'@{state.mentions}'
    mention = ' chat-badge-mention' if state.mentions else ''
    return unread, state.mentions, f'<span class="chat-badge{mention}">{text}</span>'


def _link(room_id: int, active_room_id: int | None, mark: str, name_class: str, name: str,
          state: ReadState | None = None) -> str:
    active = room_id == active_room_id
    unread, mentions, shown = badge(state)
    muted = ' data-muted="true"' if state is not None and state.muted else ''
    return (f'<a class="chat-room{" active" if active else ""}" href="/room/{room_id}" data-room="{room_id}"'
            f' data-unread="{unread}" data-mentions="{mentions}"{muted}'
            f'{" aria-current=page" if active else ""}>{mark}'
            f'<span class="{name_class}">{escape(name)}</span>{shown}</a>')


ROOM_MARK = '<span class="chat-hash" aria-hidden="true">#</span>'
DM_MARK = '<span class="chat-hash chat-at" aria-hidden="true"></span>'  # '@' drawn by CSS: the link's text is the names


def _button(action: str, icon: str, label: str, kind: str = '') -> str:
    return (f'<button type="button" class="chat-new{kind}" data-action="{action}">'
            f'<span class="chat-icon" data-icon="{icon}" aria-hidden="true"></span>{label}</button>')


def render(rooms: list[Room], active_room_id: int | None, states: dict[int, ReadState] | None = None) -> str:
    if not rooms:
        return '<p class="chat-empty">You have not joined any room yet.</p>'
    states = states or {}
    links = ''.join(_link(room.id, active_room_id, ROOM_MARK, 'chat-room-name', room.name, states.get(room.id))
                    for room in rooms)
    return f'<nav class="chat-rooms" aria-label="Your rooms">{links}</nav>'


def render_dms(dms: list[Conversation], active_room_id: int | None,
               states: dict[int, ReadState] | None = None) -> str:
    states = states or {}
    links = ''.join(_link(dm.room.id, active_room_id, DM_MARK, 'chat-dm-name', dm.title, states.get(dm.room.id))
                    for dm in dms)
    listed = (f'<nav class="chat-rooms" aria-label="Direct messages">{links}</nav>' if dms
              else '<p class="chat-empty">No direct messages yet.</p>')
    return f'<h2 class="chat-side-title chat-dm-head">Direct messages</h2>{listed}'


def state_prop(states: dict[int, ReadState]) -> dict[str, list[Any]]:
    """The counts as room_list.js keeps them: room id -> [last read seq, unread, mentions, muted, the room's newest
    seq they counted]."""
    return {str(s.room_id): [s.last_read_seq, s.unread, s.mentions, s.muted, s.last_seq] for s in states.values()}


class DrawerHtml(ui.html, component='room_list.js'):
    """`ui.html` whose browser side also keeps the badges, the tab title and notifications live (room_list.js)."""


class RoomList:
    def __init__(self, services: Services, user: User, active_room_id: int | None,
                 actions: Mapping[str, Action]) -> None:
        self._services = services
        self._user = user
        self._active = active_room_id
        self._actions = actions
        self._listed: set[int] = set()  # the conversations in the drawer: their drawer rooms are joined
        self._joined: dict[str, set[str]] = {}  # socket id -> the Socket.IO rooms it was put in here
        self._loaded = False
        self.html = DrawerHtml().classes('w-full').mark('room-list')
        self.html._props.update(viewerId=user.id, activeRoomId=active_room_id or 0)
        self.html.on('click', self._clicked, js_handler=_CLICK)
        self.html.on('resync', self._resync)
        self.html.client.on_connect(self._connected)

    async def load(self) -> None:
        rooms = await self._services.rooms.list_joined(self._user)
        dms = await self._services.conversations.list_dms(self._user)
        listed = {room.id for room in rooms} | {dm.room.id for dm in dms}
        new, self._listed = listed - self._listed, listed
        if self._loaded and new:
            await self._join_rooms()  # before their counts are read: whatever comes after them is heard
        states = await self._services.reads.summary(self._user)
        self.html._props['state'] = state_prop(states)  # read when the page's drawer is created
        if self._loaded and new:  # listed again with a conversation that came since (a new DM, an invitation)
            self.html.run_method('addState', state_prop({rid: s for rid, s in states.items() if rid in new}))
        self._loaded = True
        self.html.set_content(head(self._user) + render(rooms, self._active, states)
                              + _button('new-room', 'add', 'New room')
                              + render_dms(dms, self._active, states) + _button('new-message', 'edit', 'New message')
                              + _button('mark-all-read', 'done_all', 'Mark all as read', ' chat-quiet'))
        await self._join_rooms()

    async def _join_rooms(self) -> None:
        """Put this page's sockets in the drawer rooms of what it lists (and out of the others) and in the user's."""
        wanted = {drawer_room(room_id) for room_id in self._listed if room_id != self._active}
        wanted.add(user_room(self._user.id))
        sockets = known_sockets(self.html.client)
        self._joined = {sid: rooms for sid, rooms in self._joined.items() if sid in sockets}
        for sid in sockets:
            joined = self._joined.setdefault(sid, set())
            for name in wanted - joined:
                await core.sio.enter_room(sid, name)
            for name in joined - wanted:
                await core.sio.leave_room(sid, name)
            self._joined[sid] = set(wanted)

    async def _connected(self) -> None:
        try:
            await self._join_rooms()
            # what was posted or read between the page's rendering (or the last connection) and now went to rooms
            # this page was not in yet: the server's counts again, read after joining
            await self._resync()
        except Exception:
            log.exception('the drawer of a page of user %s could not follow its conversations', self._user.id)

    async def _resync(self) -> None:
        states = await self._services.reads.summary(self._user)
        self.html.run_method('setState', state_prop(states))

    def _clicked(self, e: GenericEventArguments) -> None:
        if e.args == 'mark-all-read':  # the badges clear through chat:attn
            background_tasks.create(self._mark_all_read(), name=f'mark all read {self._user.id}')
            return
        action = self._actions.get(e.args) if isinstance(e.args, str) else None
        if action is not None:
            action()  # at once (a dialog opens in this handler, as a NiceGUI button's would)

    async def _mark_all_read(self) -> None:
        try:
            await self._services.reads.mark_all_read(self._user)
        except ChatError as error:
            with self.html:
                ui.notification(str(error), type='negative')
