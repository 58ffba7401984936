"""`/` and `/room/{id}`: the conversation, its members, typing line and composer."""
from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError, Forbidden, NotFound
from services.events import MembershipChanged

from ..bridge import Bridge
from ..components.composer import Composer
from ..components.frame import frame
from ..components.message_list import MessageList
from ..components.opening import opening
from ..components.room_live import RoomLive
from ..components.topic_dialog import open_topic_dialog
from ..session import current_user


def register(services: Services, bridge: Bridge) -> None:
    @ui.page('/')
    async def index() -> RedirectResponse:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        try:
            room = await services.rooms.default_room(user)
        except NotFound:
            return RedirectResponse('/rooms', status_code=303)
        return RedirectResponse(f'/room/{room.id}', status_code=303)

    @ui.page('/room/{room_id}')
    async def room_page(room_id: int, seq: str = '') -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        try:
            room = await services.rooms.get_room(user, room_id)
        except Forbidden:
            return RedirectResponse(f'/rooms?join={room_id}', status_code=303)
        except NotFound:
            return RedirectResponse('/', status_code=303)
        start = await opening(services, user, room.id, seq)  # the latest messages, or those around ?seq=N

        middle = await frame(services, bridge, user, active_room_id=room.id)

        async def leave() -> None:
            try:
                await services.rooms.leave(user, room.id)
            except ChatError as e:
                ui.notification(str(e), type='negative')
                return
            ui.navigate.to('/')

        def confirm_leave() -> None:  # built on demand: most pages never show it
            with ui.dialog() as dialog, ui.card():
                ui.label(f'Leave #{room.name}? You can join again from Browse.')
                with ui.row().classes('w-full justify-end'):
                    ui.button('Cancel', on_click=dialog.close).props('flat')
                    ui.button('Leave', color='negative', on_click=leave)
            dialog.on('hide', dialog.delete)
            dialog.open()

        # empty on the server: room_live.js renders the member panel in it (its id is on the drawer's content div)
        members_drawer = ui.right_drawer(bordered=True).classes('p-0').props('width=240 breakpoint=1023')

        async def current_state() -> dict[str, Any]:  # after a reconnect: what the page may have missed
            snapshot = await bridge.members_snapshot(room.id)
            return {**snapshot, 'topic': (await services.rooms.get_room(user, room.id)).topic}

        with ui.element('div').classes('chat-page'):
            pane = MessageList(services, user, room, start.history, focus=start.focus, last_seq=start.last_seq) \
                .classes('grow')
            live = RoomLive(user, room, await bridge.members_snapshot(room.id), services.settings.typing_ttl,
                            header=middle, panel=members_drawer, drawer=members_drawer, reload=current_state)
            Composer(services, user, room.id)

        async def edit_topic() -> None:
            try:
                current = await services.rooms.get_room(user, room.id)
            except ChatError as e:
                ui.notification(str(e), type='negative')
                return
            open_topic_dialog(services, user, room.id, current.topic)

        live.on('edit_topic', edit_topic)
        live.on('leave', confirm_leave)

        async def on_user_event(event: object) -> None:
            # only this user's own membership: left in another tab, no more live messages here
            if isinstance(event, MembershipChanged) and event.room_id == room.id and not event.joined:
                await pane.leave_socket_room()
                ui.navigate.to('/')

        bridge.topic(f'user:{user.id}').subscribe(on_user_event)
        return None
