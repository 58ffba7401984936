"""`/rooms`: browse and join public rooms."""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import Room

from ..bridge import Bridge
from ..components.frame import frame
from ..session import current_user


def register(services: Services, bridge: Bridge) -> None:
    @ui.page('/rooms')
    async def browse_page(join: int | None = None) -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        middle = await frame(services, bridge, user)
        ui.page_title('Browse rooms · Chat')
        with middle:
            ui.label('Browse rooms').classes('text-subtitle1 font-bold').props('role=heading aria-level=1')

        async def join_room(room: Room) -> None:
            try:
                await services.rooms.join(user, room.id)
            except ChatError as e:
                ui.notification(str(e), type='negative')
                return
            ui.navigate.to(f'/room/{room.id}')

        with ui.column().classes('w-full max-w-2xl mx-auto p-4 gap-3'):
            if join is not None:
                ui.label('You are not a member of that room. Join it below to read and post.') \
                    .classes('text-warning').props('role=status')
            search = ui.input('Search rooms').props('outlined dense clearable').classes('w-full')

            @ui.refreshable
            async def results() -> None:
                found = await services.rooms.browse(user, search.value or '')
                if not found:
                    ui.label('No rooms match.').classes('text-grey-7')
                with ui.list().classes('w-full').props('bordered separator'):
                    for room, joined in found:
                        with ui.item().mark(f'browse-{room.name}'):
                            with ui.item_section():
                                ui.label(room.name).classes('font-bold')
                                ui.label(room.topic or ' ').classes('text-caption text-grey-7')
                            with ui.item_section().props('side'):
                                ui.label(f'{room.member_count} members').classes('text-caption')
                            with ui.item_section().props('side'):
                                if joined:
                                    ui.button('Open', on_click=lambda r=room: ui.navigate.to(f'/room/{r.id}')) \
                                        .props('flat dense no-caps')
                                else:
                                    ui.button('Join', on_click=lambda r=room: join_room(r)) \
                                        .props('unelevated dense no-caps')

            await results()
            search.on('update:model-value', results.refresh, throttle=0.3)
        return None
