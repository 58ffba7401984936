"""The search box's little language: words, "a phrase", word* and the filters from: in: before: after: on:.

    deploy "release notes" from:alice in:general after:2026-10-31 before:2026-12-01

Everything but a filter is words: punctuation, quotes and FTS5 or tsquery syntax (`NEAR(`, `-`, `^`, `AND`)
only separate words, as they do in the messages (services/store/words.py), so no query reaches a database as
syntax. A word that the folding splits (`foo-bar`, `e-mail`) is a phrase of its parts, as in the message.
Dates are days in UTC, written YYYY-MM-DD: before: the days before it, after: the days after it, on: that day.
Filter names are case-insensitive; `from:@alice`, `in:#general` and `from:me` work too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .errors import ValidationError
from .store.words import words

MAX_QUERY = 200  # characters of the raw query
MAX_WORDS = 10  # words over all terms: each costs the index a lookup
MIN_PREFIX = 2  # `a*` would walk every word of the index that starts with a
FILTERS = ('from', 'in', 'before', 'after', 'on')
_PIECE = re.compile(r'"([^"]*)"?|(\S+)')  # a quoted phrase (an unclosed quote runs to the end) or a bare piece
_FILTER = re.compile(r'([A-Za-z]+):(.*)', re.DOTALL)
_DAY = re.compile(r'\d{4}-\d{2}-\d{2}')


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query as typed, understood: terms of folded words (each a phrase), and the filters' raw values."""

    terms: tuple[tuple[str, ...], ...] = ()
    prefix: bool = False  # the last word of the last term ended in '*': words that begin with it match too
    author: str | None = None  # from: a username as typed (no '@'); 'me' is the searcher
    room: str | None = None  # in: a room name as typed (no '#')
    since: datetime | None = None  # after: / on: the first instant that may match
    until: datetime | None = None  # before: / on: the first instant that may not

    @property
    def empty(self) -> bool:
        return not self.terms and self.author is None and self.room is None and self.since is None \
            and self.until is None


def _day(name: str, value: str) -> date:
    if _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(f'{name}: takes a date written YYYY-MM-DD, like {name}:2026-11-01.')


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def parse(raw: object) -> ParsedQuery:
    """The query, or ValidationError with a sentence: too long, too many words, a bad date, a filter twice or
    without its value, nothing to search for."""
    if not isinstance(raw, str):
        raise ValidationError('Search text must be text.')
    if len(raw) > MAX_QUERY:
        raise ValidationError(f'Search for at most {MAX_QUERY} characters.')
    terms: list[tuple[str, ...]] = []
    prefix = False
    found: dict[str, str] = {}
    for match in _PIECE.finditer(raw):
        phrase, bare = match.group(1), match.group(2)
        if bare is not None and (is_filter := _FILTER.fullmatch(bare)) and is_filter.group(1).lower() in FILTERS:
            name, value = is_filter.group(1).lower(), is_filter.group(2)
            if not value:
                raise ValidationError(f'Write {name}: and its value together, like {_EXAMPLES[name]}.')
            if name in found:
                raise ValidationError(f'Use {name}: once in a search.')
            found[name] = value
            continue
        text = phrase if phrase is not None else bare
        term = tuple(words(text))
        if term:
            terms.append(term)
            prefix = bare is not None and bare.endswith('*') and len(term[-1]) >= MIN_PREFIX
    if sum(len(term) for term in terms) > MAX_WORDS:
        raise ValidationError(f'Search for at most {MAX_WORDS} words.')
    since, until = None, None
    if 'on' in found and ('before' in found or 'after' in found):
        raise ValidationError('Use on: alone, or before: and after:.')
    if 'on' in found:
        day = _day('on', found['on'])
        since, until = _midnight(day), _midnight(day) + timedelta(days=1)
    if 'after' in found:
        since = _midnight(_day('after', found['after'])) + timedelta(days=1)
    if 'before' in found:
        until = _midnight(_day('before', found['before']))
    query = ParsedQuery(terms=tuple(terms), prefix=prefix, author=_strip(found.get('from'), '@'),
                        room=_strip(found.get('in'), '#'), since=since, until=until)
    if query.empty:
        raise ValidationError('Type a word to search for.')
    return query


def with_filters(raw: str, author: str = '', room: str = '', after: str = '', before: str = '') -> str:
    """`raw` with its filters (from: in: before: after: on:) replaced by these ('' for none): what the search
    page's controls write. Words and phrases stay as typed. ValidationError for a value with a space in it (names
    have none, and a date is one word). The result is parsed like any query when it is searched."""
    kept = [match.group(0) for match in _PIECE.finditer(raw) if not _is_filter(match)]
    for name, value in (('from', author), ('in', room), ('after', after), ('before', before)):
        value = value.strip()
        if len(value.split()) > 1:
            raise ValidationError(f'{name}: takes one word, like {_EXAMPLES[name]}.')
        if value:
            kept.append(f'{name}:{value}')
    return ' '.join(kept)


def filters_of(query: ParsedQuery) -> dict[str, str]:
    """The filters of a parsed query as `with_filters` takes them (on:D is after: the day before, before: the day
    after), so that the page's controls show what the query says."""
    day = timedelta(days=1)
    return {'author': query.author or '', 'room': query.room or '',
            'after': (query.since - day).date().isoformat() if query.since else '',
            'before': query.until.date().isoformat() if query.until else ''}


def _is_filter(match: re.Match[str]) -> bool:
    bare = match.group(2)
    found = _FILTER.fullmatch(bare) if bare is not None else None
    return found is not None and found.group(1).lower() in FILTERS


_EXAMPLES = {'from': 'from:alice', 'in': 'in:general', 'before': 'before:2026-11-01', 'after': 'after:2026-11-01',
             'on': 'on:2026-11-01'}


def _strip(value: str | None, mark: str) -> str | None:
    return None if value is None else value.removeprefix(mark)
