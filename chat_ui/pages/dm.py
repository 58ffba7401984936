"""`/dm/<username>`: the direct message with someone, made on the first visit by either of them; lands on its page.

A link anyone can share ("write to me": /dm/alice). A name that is no one, or one's own, is explained on the page.
"""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError

from ..bridge import Bridge
from ..components.frame import frame
from ..session import current_user


def register(services: Services, bridge: Bridge) -> None:
    @ui.page('/dm/{username}', title='Direct message · Chat')
    async def dm_page(username: str) -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        try:
            room = await services.conversations.open_dm(user, username)
        except ChatError as e:
            middle = await frame(services, bridge, user)
            with middle:
                ui.label('Direct message').classes('text-subtitle1 font-bold').props('role=heading aria-level=1')
            with ui.column().classes('w-full max-w-md mx-auto p-4 gap-3'):
                ui.label(str(e)).classes('text-negative').props('role=alert')
            return None
        return RedirectResponse(f'/room/{room.id}', status_code=303)
