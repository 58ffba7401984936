"""Who sends: signed-in tabs typing into the composer (or baseline sockets typing), or HTTP ingestion.

Every message body is `bench m<tag>x`; the tag is unique in a run and receipts are matched on it.
Send times are `time.time()` in the bench process, taken when Enter is pressed (or the POST starts).
"""
from __future__ import annotations

import asyncio
import time

import aiohttp

from .tabs import BaselineTab, ChatTab, sign_in


def body(tag: int) -> str:
    return f'bench m{tag}x'


class TabSenders:
    """S open tabs of S users in one room; message i goes out from tab i mod S."""

    def __init__(self, kind: str, base: str, room_id: int) -> None:
        self.kind, self.base, self.room_id = kind, base, room_id
        self.tabs: list[ChatTab | BaselineTab] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.tag = 0
        self.sent: dict[int, float] = {}

    async def open(self, usernames: list[str], password: str, pin: str = '') -> None:
        async def one(name: str) -> ChatTab | BaselineTab:
            if self.kind == 'baseline':
                tab: ChatTab | BaselineTab = BaselineTab(self.base, lambda _m: None)
            else:
                session = await sign_in(self.base, name, password, pin)
                self.sessions.append(session)
                tab = ChatTab(self.base, session, lambda _m: None)
            await tab.open(self.room_id)
            return tab
        self.tabs = list(await asyncio.gather(*(one(n) for n in usernames)))

    def _next(self) -> tuple[int, ChatTab | BaselineTab]:
        self.tag += 1
        return self.tag, self.tabs[self.tag % len(self.tabs)]

    async def send(self) -> None:
        """Type a message at once and press Enter (saturation: no human types this fast, the events are the same)."""
        tag, tab = self._next()
        await tab.type(body(tag))
        self.sent[tag] = tab.enter(body(tag))

    async def run_at(self, rate: float, seconds: float) -> None:
        """`rate` messages/s for `seconds`: each tab types its next message through the gap before sending it."""
        count = int(rate * seconds)
        begin = time.monotonic() + 0.5
        gap = len(self.tabs) / rate  # between two messages of one tab
        plan: list[list[tuple[int, float]]] = [[] for _ in self.tabs]
        for i in range(count):
            tag, _ = self._next()
            plan[tag % len(self.tabs)].append((tag, begin + i / rate))

        async def one(tab: ChatTab | BaselineTab, messages: list[tuple[int, float]]) -> None:
            for tag, due in messages:
                typing_from = max(time.monotonic(), due - 0.8 * gap)  # a short pause after the previous send
                await asyncio.sleep(max(0.0, typing_from - time.monotonic()))
                await tab.type(body(tag), max(0.0, due - time.monotonic() - 0.05))
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                self.sent[tag] = tab.enter(body(tag))

        await asyncio.gather(*(one(tab, plan[i]) for i, tab in enumerate(self.tabs)))

    def counters(self) -> dict[str, int]:
        return {'typing_updates': sum(t.typing_updates for t in self.tabs),
                'typing_sent': sum(t.typing_sent for t in self.tabs),
                'disconnected': sum(t.disconnected for t in self.tabs)}

    async def close(self) -> None:
        await asyncio.gather(*(t.close() for t in self.tabs), return_exceptions=True)
        await asyncio.gather(*(s.close() for s in self.sessions), return_exceptions=True)


class HttpSender:
    """HTTP ingestion: POST /api/rooms/<id>/messages (the baseline: POST /send), 16 connections."""

    def __init__(self, kind: str, base: str, room_id: int, first_tag: int) -> None:
        self.kind, self.base, self.room_id = kind, base, room_id
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                             connector=aiohttp.TCPConnector(limit=16),
                                             cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.tag = first_tag  # after the tab senders' tags: one run, unique tags
        self.sent: dict[int, float] = {}
        self.credentials = ('', '')
        self.resignins = 0

    async def sign_in(self, username: str, password: str) -> None:
        self.credentials = (username, password)
        if self.kind == 'project':
            async with self.session.post(f'{self.base}/api/session',
                                         json={'username': username, 'password': password}) as r:
                assert r.status == 204, r.status

    async def send(self) -> None:
        self.tag += 1
        tag = self.tag
        if self.kind == 'project':
            url, data = f'{self.base}/api/rooms/{self.room_id}/messages', {'body': body(tag), 'client_id': f'b{tag}'}
        else:
            url, data = f'{self.base}/send', {'body': body(tag), 'room': str(self.room_id)}
        for attempt in range(2):
            self.sent[tag] = time.time()
            async with self.session.post(url, json=data) as r:
                if r.status == 201:
                    return
                if r.status != 401 or attempt:
                    raise RuntimeError(f'send failed: {r.status} {await r.text()}')
            self.resignins += 1  # NiceGUI pruned the page-less session's user storage: sign in again
            await self.sign_in(*self.credentials)

    async def run_at(self, rate: float, seconds: float) -> None:
        begin = time.monotonic()
        for i in range(int(seconds * rate)):
            await asyncio.sleep(max(0.0, begin + i / rate - time.monotonic()))
            await self.send()

    def counters(self) -> dict[str, int]:
        return {'typing_updates': 0, 'typing_sent': 0, 'disconnected': 0}

    async def close(self) -> None:
        await self.session.close()
