"""Simulated chat clients: python-socketio clients in worker processes, driven over a Pipe.

Each receipt is stamped with `time.time()` in the worker; the sender stamps with `time.time()` in the
bench process. Both read the same system clock on this machine, so send-to-receive differences hold.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

TAG = re.compile(r'm(\d+)x')
NICEGUI_PATH = '_nicegui_ws/socket.io'
# the socket's query in the page's script (`query: {"client_id": ...}`), not a client id in the page's data
# (the message list's props carry each message's own client id)
QUERY = re.compile(r'''\bquery:\s*\{[^}]*?["']client_id["']:\s*["']([0-9a-f-]+)["']''')


@dataclass
class Stats:
    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    count: dict[int, int] = field(default_factory=dict)

    def receive(self, data: Any) -> None:
        """One 'chat:msg' event: a message, or a list of them (the chat batches bursts)."""
        now = time.time()
        for payload in data if isinstance(data, list) else [data]:
            html = payload.get('html', '') if isinstance(payload, dict) else ''
            if (m := TAG.search(html)) is None:
                continue
            tag = int(m.group(1))
            self.count[tag] = self.count.get(tag, 0) + 1
            self.last[tag] = now
            self.first.setdefault(tag, now)


def extract_client_id(html: str) -> str:
    """The NiceGUI client id of a rendered page (from its socket.io query parameters)."""
    m = QUERY.search(html)
    if m is None:
        raise RuntimeError('no NiceGUI client_id in the page')
    return m.group(1)


async def open_project_client(base: str, username: str, password: str, room_id: int, stats: Any,
                              session: aiohttp.ClientSession | None = None) -> tuple[socketio.AsyncClient, str]:
    """Sign in over HTTP, open the room page, and connect its socket as nicegui.js does (implicit handshake)."""
    own = session is None
    session = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                              cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        async with session.post(f'{base}/api/session', json={'username': username, 'password': password}) as r:
            if r.status != 204:
                raise RuntimeError(f'sign-in of {username} failed: {r.status}')
        for attempt in range(3):  # NiceGUI answers 500 when a page takes over 3 s to build: retry
            async with session.get(f'{base}/room/{room_id}', allow_redirects=False) as r:
                if r.status == 200:
                    client_id = extract_client_id(await r.text())
                    break
                if r.status != 500 or attempt == 2:
                    raise RuntimeError(f'room page for {username}: {r.status}')
        cookies = '; '.join(f'{c.key}={c.value}' for c in session.cookie_jar)
    finally:
        if own:
            await session.close()
    return await connect_page(base, client_id, cookies, stats.receive), client_id


async def connect_page(base: str, client_id: str, cookies: str, on_msg: Any,
                       on_js: Any = None, on_update: Any = None, on_live: Any = None, *,
                       more: dict[str, Any] | None = None) -> socketio.AsyncClient:
    """Connect a rendered page's socket like nicegui.js: implicit handshake with the page's client id."""
    sio = socketio.AsyncClient(reconnection=False)
    sio.on('chat:msg', on_msg)
    if on_live is not None:
        sio.on('chat:live', on_live)  # the room's typing, presence, members and topic (chat_ui/bridge.py)
    for event, handler in (more or {}).items():  # e.g. the drawer's chat:activity, the user's chat:attn
        sio.on(event, handler)

    async def answer_javascript(msg: Any) -> None:  # as a browser would; the page asks e.g. for drawer state
        await track('run_javascript', msg)
        if on_js is not None:
            on_js(msg)
        if isinstance(msg, dict) and 'request_id' in msg:
            await sio.emit('javascript_response', {'request_id': msg['request_id'], 'client_id': client_id,
                                                   'result': None})

    sio.on('run_javascript', answer_javascript)

    # Acknowledge NiceGUI's numbered messages as nicegui.js does (every 3 s there), so the server can drop
    # them from its replay history: without acks a simulated page costs memory no browser page costs.
    acked = {'next': 0, 'sent': 0}

    async def track(event: str, *args: Any) -> None:
        if args and isinstance(args[0], dict) and isinstance(args[0].get('_id'), int):
            acked['next'] = max(acked['next'], args[0]['_id'] + 1)
        if acked['next'] > acked['sent']:
            acked['sent'] = acked['next']
            await sio.emit('ack', {'client_id': client_id, 'next_message_id': acked['next']})

    def tracker(event: str) -> Any:
        async def handler(*args: Any) -> None:
            if event == 'update' and on_update is not None and args:
                on_update(args[0])
            await track(event, *args)
        return handler

    for event in ('update', 'run_method', 'load_js_components', 'notify', 'open', 'download'):
        sio.on(event, tracker(event))
    query = {'client_id': client_id, 'next_message_id': '0', 'implicit_handshake': 'true',
             'document_id': uuid.uuid4().hex, 'tab_id': uuid.uuid4().hex, 'old_tab_id': ''}
    qs = '&'.join(f'{k}={v}' for k, v in query.items())
    await sio.connect(f'{base}?{qs}', socketio_path=NICEGUI_PATH, transports=['websocket'],
                      headers={'Cookie': cookies}, wait_timeout=30)
    return sio


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(',', ':'))
