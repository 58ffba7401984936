"""`/` and `/room/{id}`: the conversation, its members, typing line and composer."""
from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import Forbidden, NotFound
from services.events import MemberRemoved, MembershipChanged, RoleChanged

from ..bridge import Bridge
from ..components.composer import Composer
from ..components.frame import frame
from ..components.gone import Gone
from ..components.message_list import MessageList
from ..components.opening import opening
from ..components.room_controls import RoomControls
from ..components.room_live import RoomLive
from ..components.uploader import Uploader
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
        read = await services.reads.state(user, room.id)  # None: not a member (the administrator reading)
        start = await opening(services, user, room.id, seq, read)  # the latest, around ?seq=N or the first unread
        title = await services.conversations.display_name(user, room.id)  # a DM: the other people's names

        middle = await frame(services, bridge, user, active_room_id=room.id)
        can = await services.rooms.abilities(user, room.id)  # the controls shown: services/policy.py decides

        # empty on the server: room_live.js renders the member panel in it (its id is on the drawer's content div)
        members_drawer = ui.right_drawer(bordered=True).classes('p-0').props('width=240 breakpoint=1023')

        async def current_state() -> dict[str, Any]:  # after a reconnect: what the page may have missed
            snapshot = await bridge.members_snapshot(room.id)
            return {**snapshot, 'topic': (await services.rooms.get_room(user, room.id)).topic}

        with ui.element('div').classes('chat-page') as page:
            receipts = await services.reads.receipts(user, room.id) if await services.reads.sends_receipts(user) \
                else None  # who sends none sees none
            pane = MessageList(services, user, room, start.history, can, focus=start.focus, last_seq=start.last_seq,
                               read=read, receipts=receipts).classes('grow')
            live = RoomLive(user, room, title, can, await bridge.members_snapshot(room.id),
                            services.settings.typing_ttl, header=middle, panel=members_drawer,
                            drawer=members_drawer, reload=current_state, muted=read.muted if read else None)
            composer = Composer(services, user, room.id)
            with composer.input.add_slot('before'):  # "Attach file"; drop and paste handled by the same element
                Uploader(room.id, services.uploads.max_bytes)

        controls = RoomControls(services, user, room, title, live)
        gone = Gone(pane, live, composer, page)

        async def on_user_event(event: object) -> None:  # this user's own changes, from any tab or anyone
            if getattr(event, 'room_id', None) != room.id:
                return
            if isinstance(event, MembershipChanged) and not event.joined:
                await gone.left()  # quiet at once: no more of the room's broadcasts on this page
            elif isinstance(event, MembershipChanged) and gone.shown:
                ui.navigate.reload()  # back in (an invitation): the page starts again
            elif isinstance(event, MemberRemoved):
                gone.removed(event)
            elif isinstance(event, RoleChanged) and not gone.shown:
                pane.set_abilities(await controls.refresh_abilities())  # the controls of the new role

        bridge.topic(f'user:{user.id}').subscribe(on_user_event)
        return None
