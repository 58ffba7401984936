"""`python -m bench.history [--messages N]`: how long the store takes to read a page of a long room's history.

The store alone (no server, no page): `latest()` (the page a room opens on) and `before()` (an older page on
scroll) on a SQLite file whose room holds N messages (default 1,000,000), each timed over a number of calls.
tests/integration/test_sqlite.py checks that these reads walk the (room_id, seq) index; this measures them.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from services.store.sqlalchemy_store import SQLAlchemyStore

from .roomopen import summary
from .seed import fill

PAGE = 50


async def _timed(read: Callable[[int], Awaitable[object]], repeats: int) -> list[float]:
    await read(0)  # warm-up: connection, statement cache, pages in the OS cache
    ms = []
    for i in range(repeats):
        began = time.perf_counter()
        await read(i)
        ms.append((time.perf_counter() - began) * 1000)
    return ms


async def measure(db: Path, messages: int, repeats: int) -> dict[str, Any]:
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{db}')
    await store.start()
    try:
        author = await store.create_user('bench', 'not-a-hash')
        room = await store.create_room('big', '', author.id)
        began = time.perf_counter()
        await asyncio.to_thread(fill, db, room.id, messages, author.id)
        filled_s = time.perf_counter() - began
        spread = max(1, messages // repeats)
        latest = await _timed(lambda _i: store.latest(room.id, PAGE), repeats)
        older = await _timed(lambda i: store.before(room.id, messages - i * spread, PAGE), repeats)
    finally:
        await store.close()
    return {'messages': messages, 'fill_seconds': round(filled_s, 1),
            'latest': summary(latest), 'before': summary(older)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.history', description=__doc__)
    parser.add_argument('--messages', type=int, default=1_000_000, help='messages in the room (default 1,000,000)')
    parser.add_argument('--repeats', type=int, default=50, help='timed calls per read (default 50)')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='chat-bench-history-') as tmp:
        result = asyncio.run(measure(Path(tmp) / 'chat.db', args.messages, args.repeats))
    for read in ('latest', 'before'):
        figures = result[read]
        print(f'{read}({PAGE}) on {args.messages:,} messages: median {figures["median_ms"]:.2f} ms, '
              f'p90 {figures["p90_ms"]:.2f} ms, min {figures["min_ms"]:.2f} ms ({figures["samples"]} calls)')
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
