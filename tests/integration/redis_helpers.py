"""Helpers for tests on the machine's real Redis: a unique key prefix per test, and a cuttable link.

The Redis server is shared (other people's tests use it): never flush or restart it. A test works under
its own prefix and deletes its keys afterwards; an outage is simulated with a TCP proxy that the test
cuts and restores, or by killing one client connection (CLIENT KILL).
"""
from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

REDIS_HOST, REDIS_PORT = '127.0.0.1', 6379
REDIS_URL = f'redis://{REDIS_HOST}:{REDIS_PORT}/0'


@contextlib.asynccontextmanager
async def redis_prefix() -> AsyncIterator[tuple[Redis, str]]:
    """An admin client and a fresh key prefix; skips when Redis does not answer; deletes the prefix's keys after."""
    admin = Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        await admin.ping()
    except (RedisError, OSError) as error:
        await admin.aclose()
        pytest.skip(f'Redis not reachable at {REDIS_URL}: {error}')
    prefix = f'test-{secrets.token_hex(6)}:'
    try:
        yield admin, prefix
    finally:
        keys = [key async for key in admin.scan_iter(match=f'{prefix}*', count=500)]
        if keys:
            await admin.delete(*keys)
        await admin.aclose()


async def eventually(check: Callable[[], bool], within: float = 10.0, what: str = 'condition') -> None:
    """Wait until `check()` holds (events cross Redis asynchronously); fail saying what never happened."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f'{what} did not happen within {within} s')
        await asyncio.sleep(0.01)


async def kill_clients(admin: Redis, name: str) -> int:
    """Kill the connections named `name` (CLIENT SETNAME), as a network failure would; returns how many."""
    killed = 0
    for client in await admin.client_list():
        if client.get('name') == name:
            killed += await admin.client_kill_filter(_id=client['id'])
    return killed


class TcpProxy:
    """Forwards a local port to Redis; `cut()` drops every connection and refuses new ones, `restore()` undoes."""

    def __init__(self) -> None:
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f'redis://127.0.0.1:{self.port}/0'

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, '127.0.0.1', self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()
        await self._server.wait_closed()

    async def restore(self) -> None:
        await self.start()  # the same port again

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(REDIS_HOST, REDIS_PORT)
        self._links.update((writer, up_writer))

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer), pump(up_reader, writer))
        self._links.difference_update((writer, up_writer))
