"""`/` and `/room/{id}`: the conversation, its members, typing line and composer."""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError, Forbidden, NotFound
from services.events import MembershipChanged, RoomUpdated, TypingChanged

from ..bridge import Bridge, PresenceBatch
from ..components.composer import Composer
from ..components.frame import frame
from ..components.members import MemberPanel
from ..components.message_list import MessageList
from ..components.topic_dialog import open_topic_dialog
from ..components.typing_line import TypingLine
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
    async def room_page(room_id: int) -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        try:
            room = await services.rooms.get_room(user, room_id)
        except Forbidden:
            return RedirectResponse(f'/rooms?join={room_id}', status_code=303)
        except NotFound:
            return RedirectResponse('/', status_code=303)
        history = await services.messages.latest(user, room.id, services.settings.history_page)

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

        members_drawer = ui.right_drawer(bordered=True).classes('p-0').props('width=240 breakpoint=1023')
        with middle:
            with ui.column().classes('gap-0 min-w-0 grow'):
                ui.label(room.name).classes('text-subtitle1 font-bold ellipsis').props('role=heading aria-level=1')
                topic = ui.label(room.topic).classes('text-caption text-grey-7 ellipsis').mark('room-topic')
            ui.button(icon='edit', on_click=lambda: open_topic_dialog(services, user, room.id, topic.text)) \
                .props('flat round dense size=sm aria-label="Edit topic"').mark('edit-topic')
            count = ui.button(f'{room.member_count}', icon='group', on_click=members_drawer.toggle) \
                .props(f'flat dense no-caps aria-label="Members: {room.member_count}"').mark('member-count')
            ui.button(icon='exit_to_app', on_click=confirm_leave) \
                .props('flat round dense aria-label="Leave room"').mark('leave-room')

        with members_drawer:
            members = MemberPanel(services, user, room.id)
            await members.load()

        with ui.element('div').classes('chat-page'):
            pane = MessageList(services, user, room, history).classes('grow')
            typing = TypingLine(services.settings.typing_ttl)
            Composer(services, user, room.id)

        def set_count(n: int) -> None:
            count.set_text(str(n))
            count.props(f'aria-label="Members: {n}"')

        async def on_room_event(event: object) -> None:
            if isinstance(event, TypingChanged) and event.user_id != user.id:
                if event.typing:
                    typing.started(event.user_id, event.username)
                else:
                    typing.stopped(event.user_id)
            elif isinstance(event, PresenceBatch):
                members.set_statuses(event.statuses)
            elif isinstance(event, MembershipChanged):
                set_count(event.member_count)
                if not event.joined:
                    typing.stopped(event.user_id)
                if event.user_id == user.id and not event.joined:
                    await pane.leave_socket_room()  # left in another tab: no more live messages here
                    ui.navigate.to('/')
                    return
                await members.load()
            elif isinstance(event, RoomUpdated):
                topic.set_text(event.room.topic)

        bridge.topic(f'room:{room.id}').subscribe(on_room_event)
        return None
