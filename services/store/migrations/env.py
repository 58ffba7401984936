"""Alembic environment. The store passes an open connection (`config.attributes['connection']`);
the CLI path builds an async engine from `sqlalchemy.url`."""
from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from services.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_cli() -> None:
    engine = create_async_engine(context.config.get_main_option('sqlalchemy.url') or '')
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option('sqlalchemy.url'), target_metadata=metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (connection := context.config.attributes.get('connection')) is not None:
    _run(connection)
else:
    asyncio.run(_run_cli())
