"""SQLite specifics: migrations on an empty file, connection pragmas, history reads that use the index."""
import asyncio
import sqlite3
import time
from pathlib import Path

from alembic import command
from argon2 import PasswordHasher

from services.bootstrap import bootstrap
from services.config import Settings
from services.store.migrate import alembic_config
from services.store.sqlalchemy_store import SQLAlchemyStore


async def test_migrations_create_the_schema_in_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / 'new' / 'dir' / 'chat.db'
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    await store.start()
    await store.start()  # idempotent: already at head
    await store.close()
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {'users', 'rooms', 'memberships', 'messages', 'sessions', 'alembic_version'} <= tables
        assert db.execute('SELECT version_num FROM alembic_version').fetchall() == [('0002',)]
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
    services = bootstrap(Settings(data_dir=tmp_path / 'data'),
                         password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    await services.start()  # migrations run inside this already running event loop
    alice = await services.accounts.sign_up('alice', 'password-a')
    general = await services.rooms.default_room(alice)
    await services.messages.post(alice, general.id, 'hi **there**', 'c1')
    await services.close()
    again = bootstrap(Settings(data_dir=tmp_path / 'data'))
    await again.start()
    assert [m.body for m in await again.messages.latest(alice, general.id)] == ['alice joined', 'hi **there**']
    await again.close()


def _fill(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute('INSERT INTO messages (room_id, seq, author_id, body, html, client_id, kind, created_at) '
                   'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) '
                   "SELECT 1, i, 1, 'm' || i, '<p>m</p>', 'c' || i, 'text', '2025-01-01 00:00:00' FROM n", (rows,))
        db.execute('UPDATE rooms SET last_seq = ? WHERE id = 1', (rows,))


async def test_latest_stays_fast_on_a_million_messages(tmp_path: Path) -> None:
    path = tmp_path / 'big.db'
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    await store.start()
    user = await store.create_user('alice', 'h')
    room = await store.create_room('big', '', user.id)
    await asyncio.to_thread(_fill, path, 1_000_000)
    assert [m.seq for m in await store.latest(room.id, 50)] == list(range(999_951, 1_000_001))  # warm up
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        page = await store.latest(room.id, 50)
        timings.append(time.perf_counter() - start)
    older = await store.before(room.id, 500_000, 50)
    await store.close()
    assert len(page) == 50 and [m.seq for m in older] == list(range(499_950, 500_000))
    assert sorted(timings)[len(timings) // 2] < 0.005, f'median latest() took {sorted(timings)[10] * 1000:.1f} ms'
