"""Issue 8 row 15: SIGTERM stops a loaded server promptly, with exit code 0, and frees its port.

Before: a server that had served the issue's load did not stop within 18 s of SIGTERM; it needed SIGKILL.
Now uvicorn gets `timeout_graceful_shutdown` (CHAT_SHUTDOWN_TIMEOUT, 3 s): open WebSockets and slow
requests get that long, then the services close (store, bus, presence, the Markdown worker) and the
process exits.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from pathlib import Path

import aiohttp
import psutil

from tests.hostile.conftest import ABUSERS, Hostile, start_app

BOUND_S = 15  # generous: the configured grace is 3 s


async def slow_post(h: Hostile, source: str) -> None:
    """A chunked body that trickles in: in flight when the signal comes."""
    with contextlib.suppress(OSError):
        _reader, writer = await asyncio.open_connection('127.0.0.1', h.app.port, local_addr=(source, 0))
        writer.write(f'POST /api/session HTTP/1.1\r\nHost: 127.0.0.1:{h.app.port}\r\n'
                     'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'.encode())
        for _ in range(60):
            writer.write(b'1\r\n \r\n')
            await writer.drain()
            await asyncio.sleep(0.5)
        writer.close()


async def test_sigterm_stops_a_loaded_server_promptly(tmp_path: Path) -> None:
    h = await asyncio.to_thread(start_app, tmp_path / 'data')
    assert h.app.process is not None
    pid = h.app.process.pid
    client = await h.signed_in(ABUSERS[0], '127.0.0.13')
    await client.post(f'/api/rooms/{h.room_id}/messages', json={'body': 'long ' * 100, 'client_id': 'w1'})
    children = psutil.Process(pid).children(recursive=True)  # the Markdown worker
    assert children
    connector = aiohttp.TCPConnector(local_addr=('127.0.0.12', 0), limit=0)
    session = aiohttp.ClientSession(connector=connector)
    url = f'{h.url}/_nicegui_ws/socket.io/?EIO=4&transport=websocket'
    sockets = await asyncio.gather(*(session.ws_connect(url) for _ in range(200)))
    slow = [asyncio.create_task(slow_post(h, '127.0.0.14')) for _ in range(20)]
    posts = [asyncio.create_task(client.post(f'/api/rooms/{h.room_id}/messages',
                                             json={'body': f'in flight {i} ' * 30, 'client_id': f'f{i}'}))
             for i in range(10)]
    await asyncio.sleep(1.0)
    started = time.monotonic()
    os.kill(pid, signal.SIGTERM)  # the main process only, as `kill` or a service manager's stop would
    code = await asyncio.to_thread(h.app.process.wait, BOUND_S + 30)
    took = time.monotonic() - started
    print(f'SIGTERM with 200 WebSockets, 20 slow requests and 10 posts in flight: exited in {took:.1f} s, code {code}')
    for task in slow + posts:
        task.cancel()
    await asyncio.gather(*slow, *posts, return_exceptions=True)
    for ws in sockets:
        await ws.close()
    await session.close()
    await client.aclose()
    assert code == 0, h.app.log.read_text()[-3000:]
    assert took < BOUND_S
    await asyncio.sleep(1.0)
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]  # no orphan worker
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds (TIME_WAIT is no obstacle)
        s.bind(('127.0.0.1', h.app.port))  # nothing holds the port: no orphaned worker with the listening socket
    assert 'Traceback' not in h.app.log.read_text()
