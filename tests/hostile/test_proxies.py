"""Issue 8 row 13: X-Forwarded-For and -Proto count only from CHAT_TRUSTED_PROXIES (none by default).

Before: uvicorn trusted them from 127.0.0.1, so anything on the machine (or a local proxy position)
could pose as any address and slip past the per-address limits.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.edge_settings import EdgeSettings
from tests.hostile.conftest import Hostile, start_app

BURST = EdgeSettings().page_burst


async def page_statuses(h: Hostile, source: str, count: int, **headers: str) -> list[int]:
    """`count` page loads from `source`, each with a fresh session and X-Forwarded-For 10.9.<n>.1."""
    statuses = []
    async with h.client(source) as client:
        for n in range(count):
            client.cookies.clear()
            response = await client.get('/login', headers={'X-Forwarded-For': f'10.9.{n}.1', **headers})
            statuses.append(response.status_code)
    return statuses


async def test_forwarded_for_is_ignored_by_default(hostile: Hostile) -> None:
    statuses = await page_statuses(hostile, '127.0.0.1', BURST + 10)  # uvicorn's default trusted 127.0.0.1
    assert statuses[:BURST - 5] == [200] * (BURST - 5) and statuses.count(429) >= 5  # one address: the peer's


async def test_forwarded_proto_is_ignored_by_default(hostile: Hostile) -> None:
    async with hostile.client('127.0.0.1') as client:
        response = await client.post('/api/session', headers={'X-Forwarded-Proto': 'https'},
                                     json={'username': 'nobody', 'password': 'wrong password'})
    session = [v for n, v in response.headers.multi_items() if n == 'set-cookie' and v.startswith('session=')]
    assert session and 'secure' not in [p.strip().lower() for p in session[0].split(';')], session


@pytest.fixture(scope='module')
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    h = start_app(tmp_path_factory.mktemp('proxied') / 'data', CHAT_TRUSTED_PROXIES='127.0.0.1')
    yield h
    h.app.stop()


async def test_a_trusted_proxy_forwards_addresses_and_scheme(behind_proxy: Hostile) -> None:
    statuses = await page_statuses(behind_proxy, '127.0.0.1', BURST + 10)
    assert statuses == [200] * (BURST + 10)  # each forwarded address has its own allowance
    async with behind_proxy.client('127.0.0.1') as client:
        response = await client.get('/login', headers={'X-Forwarded-Proto': 'https'})
    session = [v for n, v in response.headers.multi_items() if n == 'set-cookie' and v.startswith('session=')]
    assert session and 'secure' in [p.strip().lower() for p in session[0].split(';')], session


async def test_an_untrusted_peer_cannot_forward(behind_proxy: Hostile) -> None:
    statuses = await page_statuses(behind_proxy, '127.0.0.11', BURST + 10)
    assert statuses[BURST:].count(429) >= 5
