"""`python -m bench.search [--messages N] [--pg]`: how long a search takes over a big history.

The service alone (no server, no page): `Search.messages` (parse, the store's index, snippets) on a store of N
messages (default 1,000,000) in three rooms: `big` (60 %) and `ops` (20 %), which the searcher is in, and
`elsewhere` (20 %), which they are not (its matches are skipped). Bodies are 6-14 words drawn from a
vocabulary of 3,000 made-up words with Zipf frequencies, plus `the` in about half of them, the phrase `release
notes` in 1 % and `zanzibar` in 20. Each query's median over `--repeats` calls; the target is 100 ms.

SQLite: bulk inserts with the FTS5 insert trigger off, then the migration's backfill. `--pg` also on PostgreSQL
at 127.0.0.1:5432 (trust auth; a throwaway database): COPY with each message's words, then ANALYZE.
"""
from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.models import User
from services.search import Search
from services.store.sqlalchemy_store import SQLAlchemyStore
from services.store.words import tsvector_literal

from .roomopen import summary

QUERIES = {'common word': 'the', 'rare word': 'zanzibar', 'phrase': '"release notes"',
           'from: in: filtered': 'from:carol in:ops deploy', 'prefix': 'deplo*'}
TARGET_MS = 100
_SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'do', 'gu', 'he', 'ji', 'bo']
_migration = importlib.import_module('services.store.migrations.versions.0004_search')


def _vocabulary(rng: random.Random) -> list[str]:
    words = {''.join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(4000)}
    return ['deploy', 'deployed', 'build', 'review', *sorted(words)[:2996]]


def bodies(count: int, seed: int = 7) -> Iterator[str]:
    """`count` message bodies, the same for a seed."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    rare = set(rng.sample(range(count), min(20, count)))
    for i in range(count):
        words = rng.choices(vocab, weights, k=rng.randint(6, 14))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), 'the')
        if rng.random() < 0.01:
            words.insert(rng.randrange(len(words)), 'release notes')
        if i in rare:
            words.append('zanzibar')
        yield ' '.join(words).capitalize() + '.'


def _rows(count: int, rooms: list[int], authors: list[int]) -> Iterator[tuple[Any, ...]]:
    """(room, seq, author, body, created_at) in id order: rooms 60/20/20 %, a message a second until now."""
    seqs = dict.fromkeys(rooms, 0)
    start = datetime.now(UTC) - timedelta(seconds=count)
    for i, body in enumerate(bodies(count)):
        room = rooms[0] if i % 5 < 3 else rooms[1] if i % 5 == 3 else rooms[2]
        seqs[room] += 1
        yield room, seqs[room], authors[i % len(authors)], body, start + timedelta(seconds=i)


async def _prepare(store: SQLAlchemyStore) -> tuple[User, list[int], list[int]]:
    searcher = await store.create_user('bench', 'not-a-hash')
    carol = await store.create_user('carol', 'not-a-hash')
    dave = await store.create_user('dave', 'not-a-hash')
    big = await store.create_room('big', '', searcher.id)
    ops = await store.create_room('ops', '', searcher.id)
    elsewhere = await store.create_room('elsewhere', '', dave.id)
    return searcher, [big.id, ops.id, elsewhere.id], [searcher.id, carol.id, dave.id]


def _fill_sqlite(db: Path, count: int, rooms: list[int], authors: list[int]) -> None:
    con = sqlite3.connect(db)
    try:
        con.execute('PRAGMA synchronous=OFF')
        with con:
            con.execute('DROP TRIGGER messages_fts_insert')  # indexed in one pass below, as migration 0004 does
            con.executemany(
                'INSERT INTO messages (room_id, seq, author_id, body, html, client_id, kind, created_at) '
                "VALUES (?, ?, ?, ?, '', ?, 'text', ?)",
                ((r, s, a, b, f'b{s}', c.replace(tzinfo=None).isoformat(sep=' '))
                 for r, s, a, b, c in _rows(count, rooms, authors)))
            con.execute("INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE kind = 'text'")
            con.execute(f"CREATE TRIGGER messages_fts_insert {_migration._TRIGGERS['messages_fts_insert']}")
            con.execute('UPDATE rooms SET last_seq = (SELECT count(*) FROM messages m WHERE m.room_id = rooms.id)')
        con.execute("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
    finally:
        con.close()


async def _fill_postgres(url: str, count: int, rooms: list[int], authors: list[int]) -> None:
    import asyncpg

    con = await asyncpg.connect(url.replace('postgresql+asyncpg', 'postgresql'))
    try:
        # COPY is binary, and asyncpg has no binary tsvector: the words go in as text, then are cast in one INSERT
        columns = ['room_id', 'seq', 'author_id', 'body', 'html', 'client_id', 'kind', 'created_at', 'deleted']
        await con.execute('CREATE TEMP TABLE load AS SELECT ' + ', '.join(columns)
                          + ', search::text AS search FROM messages WITH NO DATA')
        records = ((r, s, a, b, '', f'b{s}', 'text', c, False, tsvector_literal(b))
                   for r, s, a, b, c in _rows(count, rooms, authors))
        await con.copy_records_to_table('load', records=records, columns=[*columns, 'search'])
        await con.execute(f'INSERT INTO messages ({", ".join(columns)}, search) '
                          f'SELECT {", ".join(columns)}, search::tsvector FROM load ORDER BY created_at')
        await con.execute('UPDATE rooms SET last_seq = (SELECT count(*) FROM messages m WHERE m.room_id = rooms.id)')
        await con.execute('ANALYZE messages')
    finally:
        await con.close()


async def _timed(search: Search, user: User, raw: str, repeats: int) -> dict[str, Any]:
    page = await search.messages(user, raw)  # warm-up: connection, statement cache, pages in the OS cache
    ms = []
    for _ in range(repeats):
        began = time.perf_counter()
        await search.messages(user, raw)
        ms.append((time.perf_counter() - began) * 1000)
    return {**summary(ms), 'results': len(page.results)}


async def measure(url: str, messages: int, repeats: int, db: Path | None = None) -> dict[str, Any]:
    store = SQLAlchemyStore(url)
    await store.start()
    try:
        searcher, rooms, authors = await _prepare(store)
        began = time.perf_counter()
        if db is not None:
            await asyncio.to_thread(_fill_sqlite, db, messages, rooms, authors)
        else:
            await _fill_postgres(url, messages, rooms, authors)
        filled_s = time.perf_counter() - began
        search = Search(store)
        figures = {name: await _timed(search, searcher, raw, repeats) for name, raw in QUERIES.items()}
    finally:
        await store.close()
    return {'messages': messages, 'fill_seconds': round(filled_s, 1), 'queries': figures}


async def _on_postgres(messages: int, repeats: int) -> dict[str, Any] | None:
    from tests.integration.conftest import pg_database  # the throwaway database the integration tests use

    try:
        async with pg_database() as url:
            return await measure(url, messages, repeats)
    except BaseException as error:  # pytest.skip when no server answers
        if type(error).__name__ == 'Skipped':
            print(f'PostgreSQL: skipped ({error})')
            return None
        raise


def _print(where: str, result: dict[str, Any]) -> None:
    print(f'{where}: {result["messages"]:,} messages (filled in {result["fill_seconds"]} s)')
    for name, f in result['queries'].items():
        verdict = 'ok' if f['median_ms'] < TARGET_MS else 'SLOW'
        print(f'  {name:<20} {QUERIES[name]!r:<28} median {f["median_ms"]:7.2f} ms  p90 {f["p90_ms"]:7.2f} ms  '
              f'min {f["min_ms"]:6.2f} ms  ({f["results"]} results, {f["samples"]} calls)  {verdict}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.search', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--messages', type=int, default=1_000_000, help='messages in all (default 1,000,000)')
    parser.add_argument('--repeats', type=int, default=30, help='timed calls per query (default 30)')
    parser.add_argument('--pg', action='store_true', help='also on PostgreSQL at 127.0.0.1:5432')
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix='chat-bench-search-') as tmp:
        db = Path(tmp) / 'chat.db'
        results['sqlite'] = asyncio.run(measure(f'sqlite+aiosqlite:///{db}', args.messages, args.repeats, db))
    _print('SQLite', results['sqlite'])
    if args.pg and (pg := asyncio.run(_on_postgres(args.messages, args.repeats))) is not None:
        results['postgresql'] = pg
        _print('PostgreSQL', pg)
    print(json.dumps(results))
    slow = [name for r in results.values() for name, f in r['queries'].items() if f['median_ms'] >= TARGET_MS]
    return 1 if slow else 0


if __name__ == '__main__':
    raise SystemExit(main())
