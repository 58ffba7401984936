"""The in-memory store's search: a scan of every message of the user's conversations, word by word."""
from __future__ import annotations

from .memory_rooms import MemoryData
from .ports.search import SearchHit, SearchQuery
from .words import words


def _has_phrase(found: list[str], phrase: tuple[str, ...], prefix: bool) -> bool:
    """Whether the words of `phrase` appear one after the other in `found` (the last one as a prefix)."""
    size = len(phrase)
    for start in range(len(found) - size + 1):
        window = found[start:start + size]
        if window[:-1] == list(phrase[:-1]) and (
                window[-1].startswith(phrase[-1]) if prefix else window[-1] == phrase[-1]):
            return True
    return False


def matches(body: str, query: SearchQuery) -> bool:
    """Whether a body has every term of the query: the rule the SQL adapters' indexes apply."""
    found = words(body)
    last = len(query.terms) - 1
    return all(_has_phrase(found, term, query.prefix and i == last) for i, term in enumerate(query.terms))


class MemorySearch(MemoryData):
    async def search_messages(self, user_id: int, query: SearchQuery, limit: int,
                              before_id: int | None = None) -> list[SearchHit]:
        hits: list[SearchHit] = []
        folded = query.folded()
        if folded is None:
            return hits
        query = folded
        for row in self._rooms.values():
            if user_id not in row.members or query.room_id not in (None, row.room.id):
                continue
            for message in row.messages:
                if (message.kind != 'text' or message.deleted
                        or (before_id is not None and message.id >= before_id)
                        or (query.author_id is not None and message.author_id != query.author_id)
                        or (query.since is not None and message.created_at < query.since)
                        or (query.until is not None and message.created_at >= query.until)):
                    continue
                if matches(message.body, query):
                    hits.append(SearchHit(message, row.room.name, row.room.kind))
        hits.sort(key=lambda hit: hit.message.id, reverse=True)
        return hits[:max(limit, 0)]
