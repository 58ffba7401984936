"""Opening a room of 1,000,000 messages: GET /room/<id> time, and loading an older page over the socket."""
from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

import aiohttp

from .clients import connect_page, extract_client_id

RAW = 'parseElements(String.raw`'


def older_listener(html: str) -> tuple[int, str, int]:
    """(element id, listener id of 'older', lastSeq) of the page's message list."""
    start = html.index(RAW) + len(RAW)
    raw = html[start:html.index('`)', start)]
    for a, b in (('&#36;', '$'), ('&#96;', '`'), ('&gt;', '>'), ('&lt;', '<'), ('&amp;', '&')):
        raw = raw.replace(a, b)
    for element_id, element in json.loads(raw).items():
        props = element.get('props', {})
        if 'maxWindow' in props and 'roomId' in props:
            for event in element.get('events', []):
                if event.get('type') == 'older':
                    return int(element_id), event['listener_id'], int(props['lastSeq'])
    raise RuntimeError('no message list in the page')


def summary(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {'median_ms': statistics.median(ms), 'p90_ms': ms[int(0.9 * (len(ms) - 1))], 'min_ms': ms[0],
            'samples': len(ms)}


async def measure(base: str, username: str, password: str, room_id: int, repeats: int = 15) -> dict[str, Any]:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(f'{base}/api/session', json={'username': username, 'password': password}) as r:
            assert r.status == 204, r.status
        open_ms: list[float] = []
        html = ''
        for i in range(repeats + 2):
            began = time.perf_counter()
            async with session.get(f'{base}/room/{room_id}', allow_redirects=False) as r:
                html = await r.text()
                if r.status != 200:
                    raise RuntimeError(f'GET /room/{room_id}: {r.status}')
            if i >= 2:  # two warm-ups
                open_ms.append((time.perf_counter() - began) * 1000)
        cookies = '; '.join(f'{c.key}={c.value}' for c in jar)
    client_id = extract_client_id(html)
    element_id, listener_id, last_seq = older_listener(html)
    replies: asyncio.Queue[float] = asyncio.Queue()

    def on_js(msg: Any) -> None:
        if isinstance(msg, dict) and 'prependOlder' in str(msg.get('code', '')):
            replies.put_nowait(time.perf_counter())

    sio = await connect_page(base, client_id, cookies, lambda _m: None, on_js)
    older_ms: list[float] = []
    try:
        await asyncio.sleep(0.5)
        for i in range(repeats + 2):
            before = last_seq - 49 - 50 * i if i % 2 == 0 else 1 + (last_seq // (repeats + 2)) * (i + 1)
            began = time.perf_counter()
            await sio.emit('event', {'id': element_id, 'client_id': client_id, 'listener_id': listener_id,
                                     'args': [json.dumps({'before': before})]})
            done = await asyncio.wait_for(replies.get(), 10)
            if i >= 2:
                older_ms.append((done - began) * 1000)
    finally:
        await sio.disconnect()
    return {'messages': last_seq, 'open_room': summary(open_ms), 'older_page': summary(older_ms)}
