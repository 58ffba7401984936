"""Full-text search over the messages of the conversations a user is a member of."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ...models import Message, RoomKind
from ..words import words


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to find, already parsed and folded (services/search_query.py).

    `terms` are ANDed; each is a phrase of one or more words (store/words.py: folded as FTS5 folds them), its
    words consecutive in the message. With `prefix` the last word of the last term matches any word it begins.
    The filters narrow further: the author, one conversation, created at or after `since` and before `until`.
    """

    terms: tuple[tuple[str, ...], ...]
    prefix: bool = False
    author_id: int | None = None
    room_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def folded(self) -> SearchQuery | None:
        """The query with its words folded again as the index folds them (what an adapter searches for, so a
        caller's unfolded or odd words cannot reach the database as syntax); None if a term has no word left
        (it can match nothing)."""
        terms = tuple(tuple(w for word in term for w in words(word)) for term in self.terms)
        return None if not all(terms) else replace(self, terms=terms)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A message that matched, with the conversation it is in."""

    message: Message
    room_name: str
    room_kind: RoomKind


class SearchStore(Protocol):
    async def search_messages(self, user_id: int, query: SearchQuery, limit: int,
                              before_id: int | None = None) -> list[SearchHit]:
        """Up to `limit` text messages matching `query`, newest first (by message id, the order they were stored),
        only from conversations `user_id` is a member of at the time of the call, only ids below `before_id`
        (the next page: the last id of the previous one).

        Never a notice (kind != 'text'), never a deleted message; an edited body is found by its new words only.
        Words are matched whole, case- and diacritic-insensitively (`café` finds `Cafe`), the same on every
        adapter (tests/integration/test_store_search.py). No terms: every message the filters allow.
        Any words at all are safe (each adapter searches for `query.folded()`): never a driver error.
        """
