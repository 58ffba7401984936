"""Run the Alembic migrations in code (no alembic.ini needed), on a connection the caller opened."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
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


async def upgrade_head(engine: AsyncEngine) -> None:
    """Bring the schema up to date. Safe inside a running event loop: the sync part runs via run_sync."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
