"""The header's "Search messages" box: Enter opens `/search?q=...`.

One element on every page. Below the drawer breakpoint it is folded to its magnifier icon and unfolds while it
has the focus, in CSS alone (chat.css); on the search page itself it stays open and shows the query.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from nicegui import ui
from nicegui.events import GenericEventArguments

from services.search_query import MAX_QUERY

SEARCH_PATH = '/search'


def search_url(query: str, room_id: int | None = None) -> str:
    """The search page for this query (and only this conversation, for one the query cannot name: a DM)."""
    params = {'q': query} | ({'room': str(room_id)} if room_id is not None else {})
    return f'{SEARCH_PATH}?{urlencode(params, quote_via=quote)}'


def room_param(raw: str) -> int | None:
    """The search page's `room` parameter; anything but a number (a hand-edited link) searches every conversation."""
    text = raw.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _current_search() -> tuple[str, int | None] | None:
    """The query and the conversation (`room`: a direct message the query cannot name) of the search page being
    built; None on any other page."""
    try:
        request = ui.context.client.request
    except RuntimeError:  # a client without a request (NiceGUI's auto-index page): not the search page
        return None
    if request.url.path != SEARCH_PATH:
        return None
    return request.query_params.get('q', ''), room_param(request.query_params.get('room', ''))


def search_box() -> ui.input:
    """Add the box to the header being built."""
    current = _current_search()
    box = ui.input(placeholder='Search messages', value=current[0] if current is not None else '') \
        .props(f'dense outlined aria-label="Search messages" type=search enterkeyhint=search maxlength={MAX_QUERY}') \
        .classes('chat-search' + (' chat-search-here' if current is not None else ''))

    def go(e: GenericEventArguments) -> None:
        query = (e.args if isinstance(e.args, str) else box.value or '').strip()
        if query:  # on the search page a direct message chosen in its filters stays chosen (the select shows it)
            ui.navigate.to(search_url(query, current[1] if current is not None else None))

    box.on('keydown.enter', go, js_handler='(e) => emit(e.target.value)')  # what is in the field at that moment
    return box
