"""Search results: each page of them is one HTML element of links; "Load more" adds the next page.

Each result is `<a data-testid="search-result" href="/room/<id>?seq=N">` with the conversation's name (a direct
message: its title for the viewer), the author, the time (UTC, as the query's dates) and the snippet.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from html import escape

from nicegui import ui

from services.bootstrap import Services
from services.conversations import DIRECT_KINDS
from services.errors import ChatError
from services.models import User
from services.search import SearchPage, SearchResult

PAGE = 25  # results per page: the service's default (50) is more than a glance takes in


def _name(result: SearchResult) -> str:
    if result.room_kind in DIRECT_KINDS:
        return f'<span class="chat-result-room">{escape(result.title)}</span>'
    return (f'<span class="chat-result-room"><span class="chat-hash" aria-hidden="true">#</span>'
            f'{escape(result.room_name)}</span>')


def render(results: Sequence[SearchResult]) -> str:
    """The results as HTML: every field escaped here, but the snippet, which the service made safe (escaped text
    and <mark>); ui.html's DOMPurify in the browser is a second guard."""
    parts = []
    for r in results:
        stamp = r.created_at.astimezone(UTC)
        parts.append(
            f'<a class="chat-result" data-testid="search-result" href="{escape(r.url)}">'
            f'<span class="chat-result-head">{_name(r)}<span class="chat-result-author">{escape(r.author)}</span>'
            f'<time class="chat-time" datetime="{stamp.isoformat()}">{stamp:%Y-%m-%d %H:%M} UTC</time></span>'
            f'<span class="chat-result-text">{r.snippet}</span></a>')
    return ''.join(parts)


class SearchResults:
    """The first page of results, and the following ones on "Load more"."""

    def __init__(self, services: Services, user: User, query: str, room_id: int | None, first: SearchPage) -> None:
        self._services = services
        self._user = user
        self._query = query
        self._room_id = room_id
        self._next = first.next_before
        self._loading = False  # a second click that arrives before the button is disabled must not load twice
        self.column = ui.column().classes('w-full gap-0')
        with self.column:
            ui.html(render(first.results)).classes('w-full')
        self.more = ui.button('Load more', on_click=self._load_more).props('flat no-caps').classes('self-center')
        self.more.set_visibility(self._next is not None)

    async def _load_more(self) -> None:
        if self._next is None or self._loading:
            return
        self._loading = True
        self.more.disable()
        try:
            page = await self._services.search.messages(self._user, self._query, limit=PAGE, before=self._next,
                                                         room_id=self._room_id)
        except ChatError as e:
            ui.notification(str(e), type='negative')
            return
        finally:
            self._loading = False
            self.more.enable()
        with self.column:
            ui.html(render(page.results)).classes('w-full')
        self._next = page.next_before
        self.more.set_visibility(self._next is not None)
