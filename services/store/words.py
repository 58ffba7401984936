"""What a searchable word is, the same on every store adapter: the words of SQLite's FTS5 tokenizer.

SQLite indexes message bodies with FTS5's `unicode61 remove_diacritics 2` tokenizer (migration 0004). The
in-memory store and PostgreSQL must find exactly the same messages, so they do not approximate its rules
with their own (PostgreSQL's parser keeps `foo-bar`, URLs and e-mail addresses whole and keeps accents; a
regex depends on the locale): they take them from SQLite itself. Each character met for the first time is
tokenized once by an in-memory FTS5 table, which says whether it separates words and what it folds to
(case and diacritics removed, possibly nothing); the answer is cached, so text costs a dict lookup per
character. The tokenizer works one code point at a time, so per-character answers give its words exactly.

Without FTS5 in this Python's sqlite3 a close approximation from `unicodedata` is used (and SQLite could not
run the chat's search either, so only the in-memory store and PostgreSQL would depend on it).
"""
from __future__ import annotations

import functools
import re
import sqlite3
import threading
import unicodedata

TOKENIZER = 'unicode61 remove_diacritics 2'  # migration 0004 creates the FTS5 table with this one
_ASCII_WORD = re.compile(r'[A-Za-z0-9]+')  # unicode61's ASCII rule: letters and digits, nothing else


class _Oracle:
    """An in-memory FTS5 table that tokenizes one character at a time (guarded: callers may be threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = sqlite3.connect(':memory:', check_same_thread=False)
        try:
            self._db.execute(f"CREATE VIRTUAL TABLE t USING fts5(b, tokenize='{TOKENIZER}')")
            self._db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        except sqlite3.OperationalError:  # a Python whose SQLite was built without FTS5
            self._db.close()
            self._db = None

    def fold(self, ch: str) -> str | None:
        """What `ch` becomes inside a word ('' for a diacritic that is dropped), or None if it separates words."""
        if self._db is None:
            return _approximate(ch)
        with self._lock:
            self._db.execute('DELETE FROM t')
            self._db.execute('INSERT INTO t (rowid, b) VALUES (1, ?)', (f'a{ch}a',))
            terms = [row[0] for row in self._db.execute('SELECT term FROM v ORDER BY offset')]
        if len(terms) == 1 and terms[0].startswith('a') and terms[0].endswith('a'):
            return str(terms[0][1:-1])
        return None


def _approximate(ch: str) -> str | None:
    category = unicodedata.category(ch)
    if category[0] not in 'LNM' and category not in ('Co', 'Cn'):
        return None
    bare = ''.join(c for c in unicodedata.normalize('NFD', ch) if unicodedata.category(c) != 'Mn')
    return bare.lower()


_oracle = _Oracle()


@functools.lru_cache(maxsize=1 << 16)
def _fold(ch: str) -> str | None:
    return _oracle.fold(ch)


def spans(text: str) -> list[tuple[int, int, str]]:
    """The words of `text` in order: (start, end, folded word), start and end as indexes into `text`."""
    if text.isascii():  # the usual case, without a lookup per character
        return [(m.start(), m.end(), m.group().lower()) for m in _ASCII_WORD.finditer(text)]
    out: list[tuple[int, int, str]] = []
    start = -1
    folded: list[str] = []
    for i, ch in enumerate(text):
        part = _fold(ch) if not ch.isascii() else (ch.lower() if ch.isalnum() else None)
        if part is None:
            if start >= 0 and (word := ''.join(folded)):
                out.append((start, i, word))
            start, folded = -1, []
            continue
        if start < 0:
            start = i
        folded.append(part)
    if start >= 0 and (word := ''.join(folded)):  # a word of dropped diacritics only is no word (as in FTS5)
        out.append((start, len(text), word))
    return out


def words(text: str) -> list[str]:
    """The folded words of `text`, in order (repeats kept): what FTS5 indexes for it."""
    return [word for _, _, word in spans(text)]


MAX_LEXEME_BYTES = 2046  # PostgreSQL refuses a longer lexeme (such a word is not indexed there)
MAX_POSITIONS = 256  # PostgreSQL keeps at most this many positions per lexeme
MAX_POSITION = 16383


def quote_lexeme(word: str) -> str:
    """A word as a quoted lexeme of PostgreSQL's tsvector and tsquery input syntax, taken literally."""
    return "'" + word.replace('\\', '\\\\').replace("'", "''") + "'"


def tsvector_literal(text: str) -> str:
    """The words of `text` with their positions (1-based) in tsvector input syntax: PostgreSQL stores these
    words as given, without its own parser, so its index holds what SQLite's does."""
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(words(text), start=1):
        if len(word.encode()) <= MAX_LEXEME_BYTES:
            seen = positions.setdefault(word, [])
            if len(seen) < MAX_POSITIONS:
                seen.append(min(position, MAX_POSITION))
    return ' '.join(f'{quote_lexeme(w)}:{",".join(map(str, sorted(set(p))))}' for w, p in positions.items())
