"""The schema is written twice, as Alembic migrations (what databases get) and as services/store/tables.py
(what the queries use): a freshly migrated database must match the tables exactly, on SQLite and PostgreSQL."""
from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from pprint import pformat
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.store.migrate import alembic_config, upgrade_head
from services.store.sqlalchemy_store import SQLAlchemyStore
from services.store.tables import metadata

from .conftest import pg_database

T = TypeVar('T')


@pytest.fixture(params=['sqlite', 'postgres'])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a new SQLite file, or a throwaway PostgreSQL database (skipped if none answers)."""
    async with contextlib.AsyncExitStack() as stack:
        if request.param == 'postgres':
            yield await stack.enter_async_context(pg_database())
        else:
            yield f'sqlite+aiosqlite:///{tmp_path / "schema.db"}'


def _sqlite_default(text: str | None) -> str | None:
    """A default as SQLite reflects it, without the parentheses and quotes around a constant: "('')" is ''."""
    return None if text is None else re.sub(r"^'(.*)'$", r'\1', re.sub(r'^\((.*)\)$', r'\1', text))


def _compare_default(context: MigrationContext, inspected: Column[Any], meta: Column[Any],
                     inspected_default: str | None, meta_default: Any, rendered_meta_default: str | None,
                     ) -> bool | None:
    """On SQLite, whether two defaults differ: Alembic unquotes a reflected default only when it is not empty,
    so DEFAULT '' (reflected "('')") always looked changed. Elsewhere None: Alembic's own comparison decides."""
    if context.dialect.name != 'sqlite':
        return None
    return _sqlite_default(inspected_default) != _sqlite_default(rendered_meta_default)


# The search index is outside tables.py on purpose (migration 0004, services/store/sql_search.py): SQLite's FTS5
# table and its shadow tables, PostgreSQL's messages.search column and its GIN index. Only these are left out.
SEARCH_TABLES = ('messages_fts', 'messages_fts_config', 'messages_fts_data', 'messages_fts_docsize', 'messages_fts_idx')


def _compared(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    if type_ == 'table':
        return name not in SEARCH_TABLES
    if type_ == 'column' and parent_names.get('table_name') == 'messages':
        return name != 'search'
    return not (type_ == 'index' and name == 'ix_messages_search')


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={
        'compare_type': True, 'compare_server_default': _compare_default, 'include_name': _compared})
    return list(compare_metadata(context, metadata))


async def _after_migrating(url: str, work: Callable[[Connection], T]) -> T:
    """Migrate the empty database at `url` the way the store does, then run `work` on it in one transaction."""
    engine = create_async_engine(url)
    try:
        await upgrade_head(engine)
        async with engine.begin() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


def _differences_and_version(connection: Connection) -> tuple[list[Any], str | None]:
    return _differences(connection), MigrationContext.configure(connection).get_current_revision()


async def test_migrated_database_matches_the_tables(url: str) -> None:
    differences, version = await _after_migrating(url, _differences_and_version)
    assert differences == [], (
        'services/store/tables.py and the migrations disagree; change tables.py or add a migration '
        f'(what the migrated database lacks or has differently, as Alembic operations):\n{pformat(differences)}')
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def _down_and_up(connection: Connection) -> tuple[set[str], list[Any]]:
    config = alembic_config(connection)
    command.downgrade(config, 'base')
    left = set(inspect(connection).get_table_names()) - {'alembic_version'}
    command.upgrade(config, 'head')
    return left, _differences(connection)


async def test_every_migration_downgrades_to_an_empty_database_and_back(url: str) -> None:
    left, differences = await _after_migrating(url, _down_and_up)
    assert left == set(), f'tables the downgrades leave behind: {sorted(left)}'
    assert differences == [], pformat(differences)


def _fill_at_0002(connection: Connection) -> None:
    """A site made before conversations: alice (first) and bob, alice's public 'dev' and private 'ops'."""
    command.upgrade(alembic_config(connection), '0002')
    connection.execute(text(
        "INSERT INTO users (id, username, username_lower, password_hash, created_at) VALUES "
        "(1, 'alice', 'alice', 'h', '2026-01-01 00:00:00+00'), (2, 'bob', 'bob', 'h', '2026-01-01 00:00:00+00')"))
    connection.execute(text(
        "INSERT INTO rooms (id, name, name_lower, topic, created_by, created_at, last_seq, is_public) VALUES "
        "(1, 'dev', 'dev', '', 1, '2026-01-01 00:00:00+00', 0, true), "
        "(2, 'ops', 'ops', '', 1, '2026-01-01 00:00:00+00', 0, false)"))
    connection.execute(text(
        "INSERT INTO memberships (room_id, user_id, joined_at) VALUES "
        "(1, 1, '2026-01-01 00:00:00+00'), (1, 2, '2026-01-01 00:00:00+00'), (2, 1, '2026-01-01 00:00:00+00')"))


async def test_an_existing_site_keeps_its_rooms_and_gets_an_administrator_and_owners(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_fill_at_0002)
    finally:
        await engine.dispose()
    store = SQLAlchemyStore(url)
    await store.start()  # migrates 0002 → head
    try:
        alice, bob = await store.get_user_by_name('alice'), await store.get_user_by_name('bob')
        assert alice is not None and alice.is_admin and bob is not None and not bob.is_admin
        dev, ops = await store.get_room_by_name('dev'), await store.get_room_by_name('ops')
        assert dev is not None and ops is not None and (dev.kind, ops.kind) == ('public', 'private')
        roles = [(m.user.username, m.role) for m in await store.roster(dev.id)]
        assert roles == [('alice', 'owner'), ('bob', 'member')]
        assert [r.name for r in await store.list_rooms('', 10, 0)] == ['dev']  # ops stays unlisted
    finally:
        await store.close()


def _fill_at_0005(connection: Connection) -> None:
    """A site made before read positions: alice and bob in 'dev' (3 messages), alice alone in 'ops' (none)."""
    command.upgrade(alembic_config(connection), '0005')
    connection.execute(text(
        "INSERT INTO users (id, username, username_lower, password_hash, created_at) VALUES "
        "(1, 'alice', 'alice', 'h', '2026-01-01 00:00:00+00'), (2, 'bob', 'bob', 'h', '2026-01-01 00:00:00+00')"))
    connection.execute(text(
        "INSERT INTO rooms (id, name, name_lower, topic, created_by, created_at, last_seq, kind) VALUES "
        "(1, 'dev', 'dev', '', 1, '2026-01-01 00:00:00+00', 3, 'public'), "
        "(2, 'ops', 'ops', '', 1, '2026-01-01 00:00:00+00', 0, 'private')"))
    connection.execute(text(
        "INSERT INTO memberships (room_id, user_id, joined_at, role) VALUES "
        "(1, 1, '2026-01-01 00:00:00+00', 'owner'), (1, 2, '2026-01-01 00:00:00+00', 'member'), "
        "(2, 1, '2026-01-01 00:00:00+00', 'owner')"))
    connection.execute(text(
        "INSERT INTO messages (room_id, seq, author_id, body, html, client_id, kind, created_at) VALUES "
        "(1, 1, 1, 'a', '<p>a</p>', 'c1', 'text', '2026-01-01 00:00:00+00'), "
        "(1, 2, 1, 'b', '<p>b</p>', 'c2', 'text', '2026-01-01 00:00:00+00'), "
        "(1, 3, 2, 'c', '<p>c</p>', 'c3', 'text', '2026-01-01 00:00:00+00')"))


async def test_an_upgraded_site_has_read_everything_already_there(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_fill_at_0005)
    finally:
        await engine.dispose()
    store = SQLAlchemyStore(url)
    await store.start()  # migrates 0005 → head
    try:
        alice_states, bob_states = await store.read_states(1), await store.read_states(2)
        assert {k: (s.last_read_seq, s.unread, s.muted) for k, s in alice_states.items()} == {
            1: (3, 0, False), 2: (0, 0, False)}
        assert {k: (s.last_read_seq, s.unread) for k, s in bob_states.items()} == {1: (3, 0)}
        assert await store.sends_receipts(1) and await store.sends_receipts(2)
        assert [(r.username, r.seq) for r in await store.receipts(1)] == [('alice', 3), ('bob', 3)]
        alice = await store.get_user(1)
        assert alice is not None
        message, _ = await store.post_message(1, alice, 'd', '<p>d</p>', 'c4')
        assert message.seq == 4 and (await store.read_states(2, 1))[1].unread == 1
    finally:
        await store.close()
