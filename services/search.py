"""Search: the messages of my conversations that have these words, newest first, with the words marked.

The query language is in search_query.py, the index behind it in the store (SearchStore: FTS5 on SQLite, a
tsvector on PostgreSQL, a scan in memory, all with the words of store/words.py). A filter that names nobody
(`from:` an unknown user, `in:` a room that does not exist or that I am not in) finds nothing: it is no error,
and it cannot tell a private room from a missing one. Only conversations I am a member of are searched, at
the moment of the search (policy 'read' for a member): the administrator's right to read rooms they are not in
does not widen it.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from . import access, validation
from .conversations import DIRECT_KINDS, title
from .errors import ValidationError
from .models import RoomKind, User
from .ratelimit import Limiter, NoLimit
from .search_query import ParsedQuery, parse
from .store.base import Store
from .store.ports.search import SearchHit, SearchQuery
from .store.words import spans

MAX_PAGE = 100
SNIPPET = 160  # characters of the message around the first match (more when a marked word runs past)
LEAD = 50  # of which at most this many come before it


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One message found. `snippet` is safe HTML: the escaped text, matched words in <mark>…</mark>."""

    message_id: int
    room_id: int
    room_name: str  # '' for a direct message
    room_kind: RoomKind
    title: str  # what the searcher calls the conversation (a direct message: the other people's names)
    seq: int
    author_id: int
    author: str
    created_at: datetime
    snippet: str

    @property
    def url(self) -> str:
        """The conversation, opened at this message."""
        return f'/room/{self.room_id}?seq={self.seq}'


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of results, newest first; `next_before` asks for the next page (None: this was the last)."""

    results: tuple[SearchResult, ...]
    next_before: int | None
    query: ParsedQuery


def marked(words: list[str], query: SearchQuery | ParsedQuery) -> set[int]:
    """The indexes of the words that a term of the query matched (every word of a matched phrase)."""
    out: set[int] = set()
    last = len(query.terms) - 1
    for t, term in enumerate(query.terms):
        prefix, size = query.prefix and t == last, len(term)
        for start in range(len(words) - size + 1):
            head, tail = words[start:start + size - 1], words[start + size - 1]
            if head == list(term[:-1]) and (tail.startswith(term[-1]) if prefix else tail == term[-1]):
                out.update(range(start, start + size))
    return out


def snippet(body: str, query: SearchQuery | ParsedQuery, width: int = SNIPPET) -> str:
    """A piece of `body` around its first match as safe HTML: escaped, matched words in <mark>, '…' where cut."""
    found = spans(body)
    hits = sorted(marked([word for _, _, word in found], query))
    begin = 0
    if hits and found[hits[0]][0] > LEAD:
        # start at a word, at most LEAD characters before the first match
        begin = next(s for s, _, _ in found if s >= found[hits[0]][0] - LEAD)
    end = min(len(body), begin + width)
    whole = [stop for start, stop, _ in found if begin <= start and stop <= end]
    if end < len(body) and whole:  # end after a word, not in one
        end = max(whole)
    for i in hits:  # a marked word is never cut
        start, stop, _ = found[i]
        if start < end < stop:
            end = stop
    parts = ['…'] if begin > 0 else []
    at = begin
    for i in hits:
        start, stop, _ = found[i]
        if start >= begin and stop <= end:
            parts += [html.escape(body[at:start]), '<mark>', html.escape(body[start:stop]), '</mark>']
            at = stop
    parts.append(html.escape(body[at:end]))
    if end < len(body):
        parts.append('…')
    return ' '.join(''.join(parts).split())  # newlines and runs of spaces: one line


class Search:
    def __init__(self, store: Store, limit: Limiter | None = None) -> None:
        self._store = store
        self._limit = limit if limit is not None else NoLimit()  # searches per user

    async def messages(self, user: User, raw_query: str, limit: int = 50, before: int | None = None,
                       room_id: int | None = None) -> SearchPage:
        """The messages matching `raw_query` (search_query.py) in the conversations `user` is a member of,
        newest first. `before`: the previous page's `next_before`. `room_id`: only that conversation (the page's
        picker, which can name a direct message; `in:` names rooms), like `in:`.

        ValidationError for a query the language refuses, or a bad `before` / `room_id`.
        """
        parsed = parse(raw_query)
        await self._limit.check(user.id)  # RateLimited; a query the language refuses costs nothing
        size = validation.limit(limit, MAX_PAGE)
        cursor = None if before is None else _id(before, 'The page to continue from')
        room = None if room_id is None else access.room_id(room_id)
        query = await self._resolve(user, parsed, room)
        if query is None:
            return SearchPage((), None, parsed)
        hits = await self._store.search_messages(user.id, query, size + 1, cursor)
        more = len(hits) > size
        results = await self._results(user, hits[:size], query)
        return SearchPage(tuple(results), results[-1].message_id if more else None, parsed)

    async def _resolve(self, user: User, parsed: ParsedQuery, room_id: int | None) -> SearchQuery | None:
        """The store's query: names resolved to ids. None when a filter names nothing I may search."""
        author_id = None
        if parsed.author is not None:
            author = user if parsed.author.lower() == 'me' else await self._store.get_user_by_name(parsed.author)
            if author is None:
                return None
            author_id = author.id
        if parsed.room is not None:
            room = await self._store.get_room_by_name(parsed.room)
            if room is None or (room_id is not None and room.id != room_id):
                return None
            room_id = room.id
        if room_id is not None and not await self._store.is_member(room_id, user.id):
            return None
        return SearchQuery(terms=parsed.terms, prefix=parsed.prefix, author_id=author_id, room_id=room_id,
                           since=parsed.since, until=parsed.until)

    async def _results(self, user: User, hits: list[SearchHit], query: SearchQuery) -> list[SearchResult]:
        titles: dict[int, str] = {}
        for hit in hits:  # a direct message is called by its people: one lookup per conversation on the page
            room_id = hit.message.room_id
            if hit.room_kind in DIRECT_KINDS and room_id not in titles:
                room = await self._store.get_room(room_id)
                members = await self._store.members(room_id)
                titles[room_id] = title(room, members, user.id) if room is not None else ''
        return [SearchResult(
            message_id=hit.message.id, room_id=hit.message.room_id, room_name=hit.room_name, room_kind=hit.room_kind,
            title=titles.get(hit.message.room_id, hit.room_name), seq=hit.message.seq, author_id=hit.message.author_id,
            author=hit.message.author_name, created_at=hit.message.created_at, snippet=snippet(hit.message.body, query),
        ) for hit in hits]


def _id(raw: object, what: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= access.MAX_ID:
        raise ValidationError(f'{what} must be a whole number.')
    return raw
