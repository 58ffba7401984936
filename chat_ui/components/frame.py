"""The chrome every signed-in page shares: header, room list drawer, presence hooks.

Kept to a handful of NiceGUI elements: each costs server memory for every open page.
"""
from __future__ import annotations

import asyncio

from nicegui import background_tasks, ui

from services.bootstrap import Services
from services.events import MembershipChanged, RoomCreated
from services.models import User

from ..bridge import Bridge, ConversationChanged
from ..open_pages import admit_page
from ..session import page_session_id, watch_session
from .new_message import open_new_message_dialog
from .new_room import open_new_room_dialog
from .room_list import RoomList
from .search_box import search_box

ROOM_LIST_GAP = 0.2  # seconds: a user's room list follows a burst of changes once


async def frame(services: Services, bridge: Bridge, user: User, active_room_id: int | None = None) -> ui.row:
    """Build header and left drawer; return the header's middle row for the page's own title."""
    client = ui.context.client
    admit_page(user.id)  # at most N open pages per user: this one may close the oldest
    client.on_connect(lambda: services.presence.connect(user.id, client.id))
    client.on_disconnect(lambda: services.presence.disconnect(user.id, client.id))

    session = page_session_id()
    watch_session(services, bridge, user, session)  # when this page's session ends anywhere, it goes to /login

    async def leave() -> None:
        ui.navigate.to('/login')  # first: ending the session empties this page too
        if session is not None:
            await services.sessions.end(session)  # on the server: every page of it goes to /login

    drawer = ui.left_drawer(bordered=True).classes('bg-grey-1 p-3 gap-2').props('width=260 breakpoint=1023')
    with ui.header(elevated=False).classes('bg-white text-black border-b items-center gap-2 px-2 py-1 no-wrap'):
        ui.button('Rooms', icon='menu', on_click=drawer.toggle).props('flat dense no-caps').classes('lt-md')
        middle = ui.row().classes('items-center gap-2 no-wrap min-w-0 grow')
        search_box()
        ui.button(icon='manage_accounts', on_click=lambda: ui.navigate.to('/account')) \
            .props('flat round dense aria-label="Account"').mark('account')
        ui.button(icon='logout', on_click=leave).props('flat round dense aria-label="Sign out"').mark('sign-out')
    with drawer:  # the drawer's head, rooms, direct messages and their buttons: one element
        room_list = RoomList(services, user, active_room_id, {
            'new-room': lambda: open_new_room_dialog(services, user),
            'new-message': lambda: open_new_message_dialog(services, user),
        })
        await room_list.load()

    reload_pending = False

    async def reload_rooms() -> None:
        nonlocal reload_pending
        await asyncio.sleep(ROOM_LIST_GAP)  # a burst (joins, leaves, creations) reads and sends the list once
        reload_pending = False
        if not room_list.html.is_deleted:
            await room_list.load()

    def on_user_event(event: object) -> None:
        nonlocal reload_pending
        # in every tab of this user
        if isinstance(event, MembershipChanged | RoomCreated | ConversationChanged) and not reload_pending:
            reload_pending = True
            background_tasks.create(reload_rooms(), name=f'room list {client.id}')

    bridge.topic(f'user:{user.id}').subscribe(on_user_event)
    return middle
