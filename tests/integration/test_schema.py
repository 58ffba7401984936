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
from sqlalchemy import Column, Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from services.store.migrate import alembic_config, upgrade_head
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


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={
        'compare_type': True, 'compare_server_default': _compare_default})
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
