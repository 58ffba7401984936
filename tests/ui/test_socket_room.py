"""A page's socket joins its chat room's Socket.IO room when it connects, before the page asks for anything.

The bench's simulated pages (bench/clients.py) answer no `sync` request: live delivery must not depend on the
page's catch-up. Runs the real `main.py` in a subprocess with a python-socketio client connecting as nicegui.js does.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench.clients import connect_page, extract_client_id
from tests.support import App

from .test_api import PASSWORD, _seed


@pytest.fixture
def seeded_app(tmp_path: Path) -> Iterator[App]:
    server = App(tmp_path / 'data')
    server.data_dir.mkdir()
    asyncio.run(_seed(server.data_dir))
    server.start()
    yield server
    server.stop()


async def test_a_connected_page_gets_live_messages_without_asking(seeded_app: App) -> None:
    url, received = seeded_app.url, asyncio.Queue[Any]()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert (await http.post(f'{url}/api/session', json={'username': 'alice', 'password': PASSWORD})).status == 204
        async with http.get(f'{url}/room/1') as page:
            client_id = extract_client_id(await page.text())
        cookies = '; '.join(f'{c.key}={c.value}' for c in http.cookie_jar)
        sio = await connect_page(url, client_id, cookies, received.put_nowait)
        try:
            for attempt in range(50):  # the join runs right after the handshake, in the background
                async with http.post(f'{url}/api/rooms/1/messages',
                                     json={'body': f'ping {attempt}', 'client_id': f'c{attempt}'}) as posted:
                    assert posted.status == 201
                try:
                    message = await asyncio.wait_for(received.get(), 0.2)
                    break
                except TimeoutError:
                    continue
            else:
                pytest.fail('the connected page never received a live message')
            assert message['room_id'] == 1 and 'ping' in message['html']
        finally:
            await sio.disconnect()
