"""Several real instances on the machine's PostgreSQL and Redis behind a real nginx (deploy/cluster.py)."""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from deploy.cluster import Cluster, ClusterError, free_port
from services.bootstrap import bootstrap
from services.config import Settings
from tests.browser.conftest import browser  # noqa: F401  (the real-Chromium fixture, for the browser tests here)

PG_ADMIN = 'postgresql://postgres@127.0.0.1:5432/test'
PASSWORD = 'correct horse'


def _drop(name: str) -> None:
    async def drop() -> None:
        admin = await asyncpg.connect(PG_ADMIN, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
    asyncio.run(drop())


def start_cluster(tmp: Path, instances: int = 2, **env: str) -> Cluster:
    """A started cluster on a database and Redis prefix of its own (CI has PostgreSQL, Redis and nginx: no skip)."""
    name = f'chat_cluster_{secrets.token_hex(5)}'
    cluster = Cluster(instances, tmp, database_url=f'postgresql+asyncpg://postgres@127.0.0.1:5432/{name}',
                      port=free_port(), debug_header=True,
                      env={'CHAT_REDIS_PREFIX': f'test-{name}:', 'CHAT_PRESENCE_GRACE': '2', **env})
    cluster.database_name = name  # type: ignore[attr-defined]
    try:
        cluster.start()
    except ClusterError:
        cluster.stop()
        _drop(name)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    cluster.stop()
    _drop(cluster.database_name)  # type: ignore[attr-defined]


@pytest.fixture(scope='module')
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    started = start_cluster(tmp_path_factory.mktemp('cluster'))
    yield started
    stop_cluster(started)


def create_users(cluster: Cluster, *names: str) -> None:
    """Accounts made straight in the cluster's database (cheap hashes), each a member of `general`."""
    from argon2 import PasswordHasher

    async def make() -> None:
        services = bootstrap(Settings(database_url=cluster.database_url),
                             password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        await services.start()
        try:
            for name in names:
                await services.accounts.sign_up(name, PASSWORD)
        finally:
            await services.close()
    asyncio.run(make())


def node_cookie(cluster: Cluster, index: int) -> str:
    """A `chat_node` cookie value that nginx routes to instance `index` (1-based)."""
    want = cluster.nodes[index - 1].address
    for i in range(500):
        key = f'pin{i}'
        served = httpx.get(f'{cluster.url}/login', cookies={'chat_node': key}, timeout=5).headers['x-chat-upstream']
        if served == want:
            return key
    raise AssertionError(f'no cookie value routes to {want}')
