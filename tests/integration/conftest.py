"""Integration fixtures: the same store contract on MemoryStore, SQLite (a real file) and PostgreSQL."""
from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from services.store.memory import MemoryStore
from services.store.sqlalchemy_store import SQLAlchemyStore

PG_ADMIN = 'postgresql://postgres@127.0.0.1:5432/test'
PG_URL = 'postgresql+asyncpg://postgres@127.0.0.1:5432/{name}'

Store = MemoryStore | SQLAlchemyStore
StoreFactory = Callable[[], Awaitable[Store]]


async def _admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(PG_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f'PostgreSQL not reachable at {PG_ADMIN}: {error}')


@contextlib.asynccontextmanager
async def pg_database() -> AsyncIterator[str]:
    """A fresh, uniquely named database, dropped afterwards; yields its SQLAlchemy URL.

    Its collation is English (ICU en-US), as on most installed clusters, not the C of this test server: there
    text sorts by letters first ('ab' before 'a-c'), so an adapter that leaves ordering to the database shows.
    """
    name = f'chat_test_{secrets.token_hex(6)}'
    admin = await _admin()
    try:
        try:  # asyncpg runs this outside a transaction
            await admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
        except asyncpg.PostgresError:  # a server built without ICU (or before PostgreSQL 15): its default
            await admin.execute(f'CREATE DATABASE "{name}"')
        yield PG_URL.format(name=name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=['memory', 'sqlite', 'postgres'])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    """Opens (and later closes) a started store on the same data each call: reopening sees what was written."""
    memory = MemoryStore()
    url = f'sqlite+aiosqlite:///{tmp_path / "db" / "chat.db"}'
    async with contextlib.AsyncExitStack() as stack:
        if request.param == 'postgres':
            url = await stack.enter_async_context(pg_database())
        opened: list[Store] = []

        async def factory() -> Store:
            store: Store = memory if request.param == 'memory' else SQLAlchemyStore(url)
            await store.start()
            opened.append(store)
            return store

        yield factory
        for store in opened:
            await store.close()  # before the database is dropped


@pytest.fixture
async def store(open_store: StoreFactory) -> Store:
    return await open_store()
