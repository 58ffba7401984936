"""SQLite specifics: migrations on an empty file, connection pragmas, history reads that use the index."""
import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import event

from services.store.migrate import alembic_config
from services.store.sqlalchemy_store import SQLAlchemyStore
from tests.support import services_on


async def test_migrations_create_the_schema_in_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / 'new' / 'dir' / 'chat.db'
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    await store.start()
    await store.start()  # idempotent: already at head
    await store.close()
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {'users', 'rooms', 'memberships', 'messages', 'sessions', 'message_edits',
                'alembic_version', 'read_positions', 'mentions', 'reactions', 'attachments'} <= tables
        assert db.execute('SELECT version_num FROM alembic_version').fetchall() == [('0008',)]
        assert db.execute('PRAGMA journal_mode').fetchone() == ('wal',)


async def test_a_database_made_before_sessions_is_upgraded_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / 'chat.db'
    old = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    async with old._engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), '0001'))
    await old.close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO users (username, username_lower, password_hash, created_at) "
                   "VALUES ('alice', 'alice', 'h', '2026-01-01 00:00:00')")
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    await store.start()
    try:
        found = await store.get_credentials('alice')
        assert found is not None and await store.delete_user_sessions(found[0].id) == []
    finally:
        await store.close()


async def test_pragmas_on_every_connection(tmp_path: Path) -> None:
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{tmp_path / "chat.db"}')
    await store.start()
    async with store._engine.connect() as conn:
        values = [(await conn.exec_driver_sql(f'PRAGMA {name}')).scalar()
                  for name in ('foreign_keys', 'busy_timeout', 'synchronous')]
    await store.close()
    assert values == [1, 5000, 1]  # synchronous=NORMAL is 1


async def test_services_start_on_a_fresh_data_dir(tmp_path: Path) -> None:
    async with services_on(tmp_path / 'data') as services:  # migrations run inside this running event loop
        alice = await services.accounts.sign_up('alice', 'password-a')
        general = await services.rooms.default_room(alice)
        await services.messages.post(alice, general.id, 'hi **there**', 'c1')
    async with services_on(tmp_path / 'data') as again:
        assert [m.body for m in await again.messages.latest(alice, general.id)] == ['alice joined', 'hi **there**']


def _fill(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute('INSERT INTO messages (room_id, seq, author_id, body, html, client_id, kind, created_at) '
                   'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) '
                   "SELECT 1, i, 1, 'm' || i, '<p>m</p>', 'c' || i, 'text', '2025-01-01 00:00:00' FROM n", (rows,))
        db.execute('UPDATE rooms SET last_seq = ? WHERE id = 1', (rows,))


def _plan(path: Path, statement: str, parameters: Any) -> tuple[list[str], list[str]]:
    """SQLite's plan for a statement, and the columns of the index it reads `messages` by."""
    with sqlite3.connect(path) as db:
        plan = [row[3] for row in db.execute(f'EXPLAIN QUERY PLAN {statement}', parameters)]
        used = (re.match(r'SEARCH messages USING (?:COVERING )?INDEX (\w+)', step) for step in plan)
        index = next((m[1] for m in used if m), None)
        columns = [row[2] for row in db.execute(f'PRAGMA index_info("{index}")')] if index else []
    return plan, columns


async def test_history_pages_walk_the_room_seq_index(tmp_path: Path) -> None:
    """latest() and before() read a page from the (room_id, seq) index, whatever the history's length: no scan of
    the room's messages, no sort. (How long that takes on a million messages: `python -m bench.history`.)"""
    path = tmp_path / 'big.db'
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    await store.start()
    user = await store.create_user('alice', 'h')
    room = await store.create_room('big', '', user.id)
    await asyncio.to_thread(_fill, path, 100_000)
    executed: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith('SELECT') and 'messages' in statement:
            executed.append((statement, parameters))

    event.listen(store._engine.sync_engine, 'before_cursor_execute', record)
    try:
        latest = await store.latest(room.id, 50)
        older = await store.before(room.id, 50_000, 50)
    finally:
        await store.close()
    assert [m.seq for m in latest] == list(range(99_951, 100_001))
    assert [m.seq for m in older] == list(range(49_950, 50_000))
    assert len(executed) == 2
    for statement, parameters in executed:
        plan, index = _plan(path, statement, parameters)
        assert index == ['room_id', 'seq'], plan
        assert not any('TEMP B-TREE' in step for step in plan), plan  # rows come in index order: no sort
