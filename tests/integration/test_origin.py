"""Cross-site WebSocket hijacking: the real app refuses Socket.IO (and state-changing requests) from foreign Origins.

Refusal happens at the transport: HTTP 403 on the Engine.IO polling request and on the WebSocket
upgrade, before Socket.IO or NiceGUI see anything. The app's own origin, a configured
CHAT_ALLOWED_ORIGINS entry and clients that send no Origin (scripts, the benchmark) get through.
"""
from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Iterator

import httpx
import pytest
import socketio

from tests.support import App, running_app

PROXY_ORIGIN = 'https://chat.example'
POLLING = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'


@pytest.fixture(scope='module')
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp('origin') / 'data',
                     CHAT_ALLOWED_ORIGINS=f'{PROXY_ORIGIN}, https://other.example:8443') as server:
        yield server


def own(app: App) -> str:
    return app.url  # http://127.0.0.1:<port>, the Host the test connects to


def poll(app: App, origin: str | None) -> httpx.Response:
    headers = {'Origin': origin} if origin is not None else {}
    return httpx.get(app.url + POLLING, headers=headers, timeout=10)


def foreign_origins(app: App) -> list[str]:
    return [
        'http://evil.example',
        'null',  # sandboxed iframes, file:// pages
        f'http://127.0.0.1:{app.port + 1}',  # same host, another port: another origin
        f'http://127.0.0.1.evil.example:{app.port}',
        f'http://evil.example/{app.url}',
        'https://chat.example.evil.example',
        'http://chat.example',  # the configured origin, but another scheme
    ]


def test_polling_from_a_foreign_origin_is_refused(app: App) -> None:
    for origin in foreign_origins(app):
        response = poll(app, origin)
        assert response.status_code == 403, (origin, response.status_code, response.text)
        assert 'access-control-allow-origin' not in response.headers


def test_polling_from_own_configured_or_no_origin_opens_a_session(app: App) -> None:
    for origin in (own(app), PROXY_ORIGIN,
                   'https://other.example:8443', None):
        response = poll(app, origin)
        assert response.status_code == 200, (origin, response.status_code, response.text)
        assert response.text.startswith('0{"sid":'), response.text  # the Engine.IO open packet
    assert poll(app, own(app)).headers.get('access-control-allow-origin') == own(app)


async def upgrade_status(app: App, origin: str | None) -> int:
    """The HTTP status a raw WebSocket upgrade of the Socket.IO endpoint gets (101 = accepted)."""
    reader, writer = await asyncio.open_connection('127.0.0.1', app.port)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = ['GET /_nicegui_ws/socket.io/?EIO=4&transport=websocket HTTP/1.1', f'Host: 127.0.0.1:{app.port}',
             'Upgrade: websocket', 'Connection: Upgrade', f'Sec-WebSocket-Key: {key}', 'Sec-WebSocket-Version: 13']
    if origin is not None:
        lines.append(f'Origin: {origin}')
    writer.write(('\r\n'.join(lines) + '\r\n\r\n').encode())
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return int(status.split()[1])


async def test_websocket_upgrade_from_a_foreign_origin_gets_403(app: App) -> None:
    assert await upgrade_status(app, 'http://evil.example') == 403
    assert await upgrade_status(app, 'null') == 403
    assert await upgrade_status(app, own(app)) == 101
    assert await upgrade_status(app, PROXY_ORIGIN) == 101
    assert await upgrade_status(app, None) == 101


async def test_socketio_client_with_a_foreign_origin_cannot_connect(app: App) -> None:
    for transports in (['websocket'], ['polling']):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(app.url, socketio_path='/_nicegui_ws/socket.io', transports=transports,
                                 headers={'Origin': 'http://evil.example'}, wait_timeout=5)
        assert not client.connected
        await client.shutdown()


@pytest.mark.parametrize('origin', ['own', PROXY_ORIGIN])
async def test_socketio_client_with_an_accepted_origin_connects(app: App, origin: str) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(app.url, socketio_path='/_nicegui_ws/socket.io', transports=['websocket'],
                         headers={'Origin': own(app) if origin == 'own' else origin}, wait_timeout=5)
    try:
        assert client.connected  # the transport and Socket.IO accepted us ...
        # ... and NiceGUI's own handshake still wants a real page's client id: that is a separate gate
        accepted = await client.call('handshake', {'client_id': 'no-such-client', 'tab_id': 't', 'document_id': 'd'},
                                     timeout=5)
        assert accepted is False
    finally:
        await client.disconnect()
        await client.shutdown()


def test_state_changing_requests_from_a_foreign_origin_are_refused(app: App) -> None:
    body = {'username': 'nobody', 'password': 'wrong password'}
    refused = httpx.post(app.url + '/api/session', json=body, headers={'Origin': 'http://evil.example'}, timeout=10)
    assert refused.status_code == 403
    for headers in ({'Origin': own(app)}, {}):
        answered = httpx.post(app.url + '/api/session', json=body, headers=headers, timeout=10)
        assert answered.status_code in (401, 422, 429), answered.text  # reached the API
    # reading is not guarded: a link from another site still opens the login page
    assert httpx.get(app.url + '/login', headers={'Origin': 'http://evil.example'}, timeout=10).status_code == 200
