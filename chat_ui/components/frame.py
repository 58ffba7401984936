"""The chrome every signed-in page shares: header, room list drawer, presence hooks."""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.events import MembershipChanged
from services.models import User

from ..bridge import Bridge
from ..session import sign_out
from .new_room import new_room_dialog
from .room_list import RoomList


async def frame(services: Services, bridge: Bridge, user: User, active_room_id: int | None = None) -> ui.row:
    """Build header and left drawer; return the header's middle row for the page's own title."""
    client = ui.context.client
    client.on_connect(lambda: services.presence.connect(user.id, client.id))
    client.on_disconnect(lambda: services.presence.disconnect(user.id, client.id))

    def leave() -> None:
        sign_out()
        ui.navigate.to('/login')

    ui.page_title('Chat')
    ui.colors(primary='#2563eb')
    drawer = ui.left_drawer(bordered=True).classes('bg-grey-1 p-0').props('width=260 breakpoint=1023')
    with ui.header(elevated=False).classes('bg-white text-black border-b items-center gap-2 px-2 py-1 no-wrap'):
        ui.button('Rooms', icon='menu', on_click=drawer.toggle).props('flat dense no-caps').classes('lt-md')
        middle = ui.row().classes('items-center gap-2 no-wrap min-w-0 grow')
        with ui.button(icon='account_circle').props('flat round dense').props(f'aria-label="Account: {user.username}"'):
            with ui.menu():
                ui.menu_item(f'Signed in as {user.username}').props('disable')
                ui.menu_item('Sign out', on_click=leave).mark('sign-out')

    dialog = new_room_dialog(services, user)
    with drawer:
        with ui.column().classes('w-full p-3 gap-2'):
            ui.label('Rooms').classes('text-subtitle1 font-bold')
            with ui.row().classes('w-full gap-2 no-wrap'):
                ui.button('New room', icon='add', on_click=dialog.open) \
                    .props('unelevated dense no-caps').classes('grow')
                ui.button('Browse', icon='explore', on_click=lambda: ui.navigate.to('/rooms')) \
                    .props('outline dense no-caps').classes('grow')
        room_list = RoomList(services, user, active_room_id)
        await room_list.load()

    def on_user_event(event: object) -> None:
        if isinstance(event, MembershipChanged):
            room_list.load.refresh()  # type: ignore[attr-defined]

    bridge.topic(f'user:{user.id}').subscribe(on_user_event)
    return middle
