"""A day in the life, client side: simulated people in a worker process, each on their own random timers.

Each person keeps one tab open (5 % two), types then sends about one message a minute, switches rooms every
few minutes (closing the page and loading the next room's, as the room list's links do) and now and then
scrolls back through history (the message list's `older` event). A second tab stays where it opened.
Every stay of a tab in a room is a Visit with the time its socket joined the room's broadcast and the
time it closed; a message is expected on every tab that was in its room from before it was sent until
GRACE seconds after.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from .clients import TAG
from .page import PageShapeError
from .reading import KINDS, AttentiveTab
from .tabs import sign_in

SEND_EVERY = 60.0  # mean seconds between two messages of a person
SWITCH_EVERY = 180.0  # ... between two room switches
SCROLL_EVERY = 300.0  # ... between two scrolls back through history
KEYS_PER_SECOND = 6.0
GRACE = 5.0
FILLER = ' is what I think about the release plan'


@dataclass
class Visit:
    tab: AttentiveTab
    room: int
    closed: float = 0.0
    received: dict[int, float] = field(default_factory=dict)

    def receive(self, data: Any) -> None:
        now = time.time()
        for payload in data if isinstance(data, list) else [data]:
            if isinstance(payload, dict) and (m := TAG.search(payload.get('html', ''))):
                self.received.setdefault(int(m.group(1)), now)


class DayWorker:
    def __init__(self, index: int, base: str, password: str, concurrency: int, *, reads: bool = True) -> None:
        self.base, self.password = base, password
        self.reads = reads  # tabs say what they read (message_list.js `read`); False: as pages before attention
        self.gate = asyncio.Semaphore(concurrency)  # page loads in flight
        self.tag = (index + 1) * 10_000_000
        self.sends: dict[int, tuple[int, float]] = {}  # tag -> (room, Enter time)
        self.visits: list[Visit] = []
        self.sessions: list[aiohttp.ClientSession] = []
        self.lives: list[asyncio.Task[None]] = []
        self.failed_loads = 0
        self.page_loads = 0
        self.loads: list[tuple[float, int, float]] = []  # (start, room, seconds) of every page load
        self.rng = random.Random(index)

    async def visit(self, session: aiohttp.ClientSession, room: int) -> Visit:
        async with self.gate:
            visit = Visit(AttentiveTab(self.base, session, lambda _m: None, reads=self.reads), room)
            visit.tab.on_msg = visit.receive
            self.page_loads += 1
            began = time.time()
            try:
                await asyncio.wait_for(visit.tab.open(room), 60)
                self.loads.append((began, room, time.time() - began))
                self.failed_loads += visit.tab.server_errors  # loaded on a reload: the first try failed
            except PageShapeError:
                raise
            except Exception as e:
                self.failed_loads += 1
                print(f'[day worker] page load of room {room}: {type(e).__name__}: {e}', flush=True)
                visit.closed = time.time()
                await visit.tab.close()
            self.visits.append(visit)
            return visit

    async def add(self, people: list[tuple[str, list[int], int]]) -> int:
        """Sign in and open the tabs of `people` (name, their rooms, number of tabs); return failed sign-ins."""
        failed = 0

        async def one(name: str, rooms: list[int], tabs: int) -> None:
            nonlocal failed
            try:
                async with self.gate:
                    session = await sign_in(self.base, name, self.password)
            except Exception as e:
                failed += 1
                print(f'[day worker] sign-in of {name}: {type(e).__name__}: {e}', flush=True)
                return
            self.sessions.append(session)
            first = await self.visit(session, self.rng.choice(rooms))
            self.lives.append(asyncio.create_task(self.life(session, rooms, first)))
            for _ in range(tabs - 1):  # a second tab: open, passive
                await self.visit(session, self.rng.choice(rooms))

        await asyncio.gather(*(one(*p) for p in people))
        return failed

    async def life(self, session: aiohttp.ClientSession, rooms: list[int], visit: Visit) -> None:
        rng = random.Random(self.rng.random())
        now = time.monotonic()
        send_at, switch_at, scroll_at = (now + rng.expovariate(1 / m) for m in (SEND_EVERY, SWITCH_EVERY, SCROLL_EVERY))
        while True:
            due = min(send_at, switch_at, scroll_at)
            if due == send_at:
                self.tag += 1
                tag, text = self.tag, f'bench m{self.tag}x{FILLER}'
                typing = len(text) / KEYS_PER_SECOND
                await asyncio.sleep(max(0.0, due - typing - time.monotonic()))
                if not visit.closed:
                    await visit.tab.type(text, typing)
                    self.sends[tag] = (visit.room, visit.tab.enter(text))
                send_at = time.monotonic() + rng.expovariate(1 / SEND_EVERY)
                continue
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if due == switch_at:
                others = [r for r in rooms if r != visit.room] or rooms
                visit.closed = time.time()
                await visit.tab.close()
                visit = await self.visit(session, rng.choice(others))
                switch_at = time.monotonic() + rng.expovariate(1 / SWITCH_EVERY)
            else:
                if not visit.closed:
                    visit.tab.older(max(1, rng.randint(1, 150)))
                scroll_at = time.monotonic() + rng.expovariate(1 / SCROLL_EVERY)

    def evaluate(self, sends: dict[int, tuple[int, float]]) -> dict[int, tuple[int, int, float]]:
        """Per message: (tabs that should have it, tabs that got it, last receipt) among this worker's tabs."""
        by_room: dict[int, list[Visit]] = {}
        for v in self.visits:
            if v.tab.ready_at:
                by_room.setdefault(v.room, []).append(v)
        out: dict[int, tuple[int, int, float]] = {}
        for tag, (room, sent) in sends.items():
            expected = got = 0
            last = 0.0
            for v in by_room.get(room, []):
                if v.tab.ready_at <= sent and (not v.closed or v.closed >= sent + GRACE):
                    expected += 1
                    if (t := v.received.get(tag)) is not None:
                        got, last = got + 1, max(last, t)
            out[tag] = (expected, got, last)
        return out

    def counters(self) -> dict[str, int]:
        live = [v for v in self.visits if not v.closed]
        out = {'tabs': len(live), 'people': len(self.lives), 'page_loads': self.page_loads,
               'failed_loads': self.failed_loads, 'dropped': sum(v.tab.disconnected for v in self.visits),
               'reads_sent': sum(v.tab.reads_sent for v in self.visits)}
        for kind in KINDS:  # frames received by all tabs so far, by kind
            out[f'frames_{kind}'] = sum(v.tab.frames[kind] for v in self.visits)
        return out

    async def close(self) -> None:
        for life in self.lives:
            life.cancel()
        await asyncio.gather(*self.lives, return_exceptions=True)
        await asyncio.gather(*(v.tab.close() for v in self.visits if not v.closed), return_exceptions=True)
        await asyncio.gather(*(s.close() for s in self.sessions), return_exceptions=True)


async def _serve(conn: Connection, worker: DayWorker) -> None:
    loop = asyncio.get_running_loop()
    while True:
        command, arg = await loop.run_in_executor(None, conn.recv)
        if command == 'add':
            try:
                conn.send(await worker.add(arg))
            except PageShapeError as e:
                conn.send(e)
        elif command == 'sends':  # arg: (from, to) times
            conn.send({t: s for t, s in worker.sends.items() if arg[0] <= s[1] < arg[1]})
        elif command == 'loads':  # arg: (from, to) times
            conn.send([load for load in worker.loads if arg[0] <= load[0] < arg[1]])
        elif command == 'evaluate':
            conn.send(worker.evaluate(arg))
        elif command == 'counters':
            conn.send(worker.counters())
        elif command == 'close':
            await worker.close()
            conn.send(True)
            return


def day_worker_main(conn: Connection, index: int, base: str, password: str, concurrency: int,
                    reads: bool = True) -> None:
    try:
        asyncio.run(_serve(conn, DayWorker(index, base, password, concurrency, reads=reads)))
    except (EOFError, KeyboardInterrupt):
        pass
