"""`/all-rooms`: the administrator's list of every public and private room (Rooms.all_rooms), with a search.

Linked from the drawer's head for the administrator only; anyone else is told it is not for them. The
administrator may open any of them (policy: read, moderate) and join one to take part.
"""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError

from ..bridge import Bridge
from ..components.frame import frame
from ..session import current_user

PAGE = 200  # rooms listed at most; the search narrows it down


def register(services: Services, bridge: Bridge) -> None:
    @ui.page('/all-rooms', title='All rooms · Chat')
    async def all_rooms_page() -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        middle = await frame(services, bridge, user)
        with middle:
            ui.label('All rooms').classes('text-subtitle1 font-bold').props('role=heading aria-level=1')

        with ui.column().classes('w-full max-w-2xl mx-auto p-4 gap-3'):
            search = ui.input('Search rooms').props('outlined dense clearable').classes('w-full')

            @ui.refreshable
            async def results() -> None:
                try:
                    found = await services.rooms.all_rooms(user, search.value or '', PAGE)
                except ChatError as e:
                    ui.label(str(e)).classes('text-negative').props('role=alert')
                    return
                if not found:
                    ui.label('No rooms match.').classes('text-grey-7')
                with ui.list().classes('w-full').props('bordered separator'):
                    for room in found:
                        with ui.item(on_click=lambda r=room: ui.navigate.to(f'/room/{r.id}')) \
                                .mark(f'all-{room.name}'):
                            with ui.item_section():
                                ui.label(room.name).classes('font-bold')
                                ui.label(room.topic or ' ').classes('text-caption text-grey-7')
                            with ui.item_section().props('side'):
                                ui.label(room.kind).classes('text-caption')
                            with ui.item_section().props('side'):
                                ui.label(f'{room.member_count} members').classes('text-caption')

            await results()
            search.on('update:model-value', results.refresh, throttle=0.3)
        return None
