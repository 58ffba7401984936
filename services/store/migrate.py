"""Run the Alembic migrations in code (no alembic.ini needed), on a connection the caller opened."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

SCRIPTS = Path(__file__).parent / 'migrations'


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic config pointing at our migrations; `connection` is used by env.py when given."""
    config = Config()
    config.set_main_option('script_location', str(SCRIPTS))
    if url is not None:
        config.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    config.attributes['connection'] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), 'head')


MIGRATION_LOCK = 0x63686174  # 'chat': the advisory lock key instances take while migrating PostgreSQL


async def upgrade_head(engine: AsyncEngine) -> None:
    """Bring the schema up to date. Safe inside a running event loop: the sync part runs via run_sync.

    On PostgreSQL several instances may start at once: a transaction-scoped advisory lock lets one migrate
    while the others wait, then find the schema at head.
    """
    if engine.dialect.name == 'sqlite':
        await _upgrade_sqlite(engine)
        return
    async with engine.begin() as conn:
        if engine.dialect.name == 'postgresql':
            await conn.execute(text('SELECT pg_advisory_xact_lock(:key)'), {'key': MIGRATION_LOCK})
        await conn.run_sync(_upgrade)


async def _upgrade_sqlite(engine: AsyncEngine) -> None:
    """With foreign keys off while migrating: SQLite changes a table by copying it and dropping the old one
    (Alembic's batch mode), and with foreign keys on that DROP deletes every row that refers to the table
    (ON DELETE CASCADE: a room's memberships and messages). The pragma only takes effect outside a transaction;
    afterwards the rows must still satisfy every foreign key, or the migration fails loudly."""
    async with engine.connect() as conn:
        await conn.exec_driver_sql('PRAGMA foreign_keys=OFF')
        await conn.commit()
        try:
            await conn.run_sync(_upgrade)
            await conn.commit()
            broken = (await conn.exec_driver_sql('PRAGMA foreign_key_check')).all()
            if broken:
                raise RuntimeError(f'the migration left rows that break a foreign key: {broken[:5]}')
        finally:
            await conn.rollback()
            await conn.exec_driver_sql('PRAGMA foreign_keys=ON')
            await conn.commit()
