"""Two real `main.py` processes on one PostgreSQL database and one Redis prefix form one chat.

A message posted through the API of instance 1 reaches a Socket.IO client on a room page of instance 2
(signed in and connected as bench/clients.py does, i.e. as a browser page does). Instance 2 reaches Redis
through a proxy the test can cut: a message posted while its link is down is not lost to its pages,
because the bus resyncs them after reconnecting. A page open on instance 2 makes its user online in the
presence both instances share, and offline after it closed.
"""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from redis.asyncio import Redis

from bench.clients import open_project_client
from services.bootstrap import bootstrap
from services.config import Settings
from tests.browser.conftest import App

from .conftest import pg_database
from .redis_helpers import REDIS_URL, TcpProxy, eventually, redis_prefix

PASSWORD = 'correct horse'


class Inbox:
    """What a page's socket received on the live message event."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def receive(self, data: Any) -> None:
        self.messages += data if isinstance(data, list) else [data]

    def bodies(self) -> list[str]:
        return [m['html'] for m in self.messages]


async def _seed(database_url: str, data_dir: Path) -> tuple[int, int]:
    """Migrate the shared database and create the two users (before the instances: no migration race)."""
    services = bootstrap(Settings(database_url=database_url, data_dir=data_dir),
                         password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    await services.start()
    try:
        await services.accounts.sign_up('alice', PASSWORD)
        bob = await services.accounts.sign_up('bob', PASSWORD)
        general = await services.store.get_room_by_name('general')
        assert general is not None
        return general.id, bob.id
    finally:
        await services.close()


@dataclass
class Cluster:
    one: App
    two: App
    proxy: TcpProxy  # instance 2 reaches Redis through it
    admin: Redis
    prefix: str
    room_id: int
    bob_id: int


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    async with pg_database() as database_url, redis_prefix() as (admin, prefix):
        room_id, bob_id = await _seed(database_url, tmp_path)
        proxy = TcpProxy()
        await proxy.start()
        common = {'CHAT_DATABASE_URL': database_url, 'CHAT_REDIS_PREFIX': prefix, 'CHAT_RATE_LIMITS': 'off',
                  'CHAT_PRESENCE_GRACE': '0.5'}
        one = App(tmp_path / 'one', CHAT_REDIS_URL=REDIS_URL, **common)
        two = App(tmp_path / 'two', CHAT_REDIS_URL=proxy.url, **common)
        try:
            for app in (one, two):
                app.data_dir.mkdir()
                await asyncio.to_thread(app.start)  # in a thread: the proxy lives on this event loop
            yield Cluster(one, two, proxy, admin, prefix, room_id, bob_id)
        finally:
            for app in (one, two):
                await asyncio.to_thread(app.stop)
            await proxy.cut()


async def presence_of(cluster: Cluster, user_id: int) -> str:
    """The status recorded in Redis (what every instance's member panels read)."""
    status = await cluster.admin.hget(f'{cluster.prefix}presence:status', str(user_id))
    return status.decode() if isinstance(status, bytes) else status or 'offline'


async def test_a_message_posted_on_one_instance_reaches_a_page_on_the_other(cluster: Cluster) -> None:
    one, two, proxy, room_id = cluster.one, cluster.two, cluster.proxy, cluster.room_id
    inbox = Inbox()
    page, _client_id = await open_project_client(two.url, 'bob', PASSWORD, room_id, inbox)
    try:
        async with httpx.AsyncClient(base_url=one.url, timeout=10) as alice:
            assert (await alice.post('/api/session', json={'username': 'alice', 'password': PASSWORD})).status_code \
                == 204
            counter = itertools.count()

            async def post(body: str) -> int:
                response = await alice.post(f'/api/rooms/{room_id}/messages',
                                            json={'body': body, 'client_id': f'c{next(counter)}'})
                assert response.status_code == 201, response.text
                seq: int = response.json()['seq']
                return seq

            # The page's socket joins the room's broadcast group just after connecting: wait for that
            for attempt in range(100):
                await post(f'warm-up {attempt}')
                if inbox.messages:
                    break
                await asyncio.sleep(0.2)
            assert inbox.messages, 'no message from instance 1 ever reached the page on instance 2'

            seq = await post('hello from one')
            await eventually(lambda: any(m['seq'] == seq for m in inbox.messages), what='delivery across instances')
            assert [m['html'] for m in inbox.messages if m['seq'] == seq] == ['<p>hello from one</p>']

            # Instance 2 loses Redis; what is posted meanwhile reaches its page after the reconnect
            await proxy.cut()
            await eventually(lambda: 'event bus: lost Redis connection' in two.log.read_text(),
                             what='instance 2 noticing the outage')
            missed = await post('posted while instance 2 was cut off')
            await asyncio.sleep(0.5)
            assert all(m['seq'] != missed for m in inbox.messages)  # Redis pub/sub does not keep it for later
            await proxy.restore()
            await eventually(lambda: any(m['seq'] == missed for m in inbox.messages), within=30,
                             what='the resync after the reconnect')
            assert 'event bus: reconnected to Redis' in two.log.read_text()
            assert [m['seq'] for m in inbox.messages if m['seq'] == missed] == [missed]
    finally:
        await page.disconnect()


async def test_presence_of_a_page_on_one_instance_is_shared_through_redis(cluster: Cluster) -> None:
    async def bob_is(status: str) -> bool:
        return await presence_of(cluster, cluster.bob_id) == status

    assert await bob_is('offline')
    page, _client_id = await open_project_client(cluster.two.url, 'bob', PASSWORD, cluster.room_id, Inbox())
    try:
        await eventually_async(lambda: bob_is('online'), what='bob online once his page is connected')
    finally:
        await page.disconnect()
    # the grace is 0.5 s here; the instances sweep every second
    await eventually_async(lambda: bob_is('offline'), what='bob offline after his page closed')


async def eventually_async(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f'{what} did not happen within 10 s')
