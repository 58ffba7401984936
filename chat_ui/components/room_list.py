"""The list of joined rooms in the left drawer. Each item's name label holds exactly the room's name."""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.models import User


class RoomList:
    def __init__(self, services: Services, user: User, active_room_id: int | None) -> None:
        self._services = services
        self._user = user
        self._active = active_room_id

    @ui.refreshable_method
    async def load(self) -> None:
        rooms = await self._services.rooms.list_joined(self._user)
        with ui.list().classes('w-full').props('dense').mark('room-list'):
            for room in rooms:
                active = room.id == self._active
                with ui.item(on_click=lambda r=room: ui.navigate.to(f'/room/{r.id}')) \
                        .props(f'clickable active={active} active-class="bg-blue-1 text-primary"') \
                        .props(f'aria-current={"page" if active else "false"}').mark(f'room-{room.name}'):
                    with ui.item_section().props('avatar').classes('min-w-0'):
                        ui.icon('tag', size='xs')
                    with ui.item_section():
                        ui.label(room.name).classes('ellipsis')
            if not rooms:
                ui.label('You have not joined any room yet.').classes('text-grey-7 p-3')
