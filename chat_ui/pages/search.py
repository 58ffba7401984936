"""`/search?q=...`: the messages of my conversations that match, newest first, each a link to it in its room.

`q` is the query as typed in the header's "Search messages" box (services/search_query.py); `room` narrows it to
one conversation (the filters' way to name a direct message).
"""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.search import SearchPage

from ..bridge import Bridge
from ..components.frame import frame
from ..components.search_box import room_param
from ..components.search_filters import search_filters
from ..components.search_results import PAGE, SearchResults
from ..session import current_user


def register(services: Services, bridge: Bridge) -> None:
    @ui.page('/search', title='Search · Chat')
    async def search_page(q: str = '', room: str = '') -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        room_id = room_param(room)
        page: SearchPage | None = None
        try:
            page = await services.search.messages(user, q, limit=PAGE, room_id=room_id)
            error = ''
        except ChatError as e:  # the query language's sentence ("before: takes a date written ..."), or "Slow down"
            error = str(e)

        middle = await frame(services, bridge, user)
        with middle:
            ui.label('Search').classes('text-subtitle1 font-bold').props('role=heading aria-level=1')
        with ui.column().classes('w-full max-w-3xl mx-auto p-4 gap-3'):
            await search_filters(services, user, q, page.query if page is not None else None, room_id)
            if page is None:
                ui.label(error).classes('text-negative').props('role=alert').mark('search-error')
            elif not page.results:
                ui.label('No messages found').classes('text-grey-7').props('role=status').mark('search-empty')
            else:
                SearchResults(services, user, q, room_id, page)
        return None
