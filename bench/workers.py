"""Client worker processes: each holds receiving tabs, driven over a Pipe by the bench process."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import aiohttp

from .clients import Stats
from .page import PageShapeError
from .tabs import BaselineTab, ChatTab, sign_in


class Worker:
    """The receiving tabs of one client process."""

    def __init__(self, kind: str, base: str, room_id: int, password: str, concurrency: int,
                 pins: list[str]) -> None:
        self.kind, self.base, self.room_id, self.password = kind, base, room_id, password
        self.concurrency = concurrency
        self.pins = pins  # chat_node cookies, one per instance behind nginx: tabs are spread over them
        self.opened = 0
        self.stats = Stats()
        self.groups = [Stats() for _ in pins]  # receipts of the tabs on each instance
        self.group_tabs = [0 for _ in pins]
        self.tabs: list[ChatTab | BaselineTab] = []
        self.sessions: list[aiohttp.ClientSession] = []

    async def open_tab(self, name: str) -> None:
        if self.kind == 'baseline':
            tab: ChatTab | BaselineTab = BaselineTab(self.base, self.stats.receive)
        else:
            self.opened += 1
            group = self.opened % len(self.pins) if self.pins else -1
            session = await sign_in(self.base, name, self.password, self.pins[group] if self.pins else '')
            self.sessions.append(session)
            tab = ChatTab(self.base, session, self.receiver(group))
        await tab.open(self.room_id)
        self.tabs.append(tab)
        if isinstance(tab, ChatTab) and self.pins:
            self.group_tabs[group] += 1

    def receiver(self, group: int) -> Callable[[Any], None]:
        if group < 0:
            return self.stats.receive

        def both(data: Any) -> None:
            self.stats.receive(data)
            self.groups[group].receive(data)
        return both

    async def connect(self, usernames: list[str], budget: float) -> int:
        """Open one tab per username within `budget` seconds, a few page builds at a time; return failures."""
        gate = asyncio.Semaphore(self.concurrency if self.kind == 'project' else 8)
        failed = 0
        deadline = time.monotonic() + budget

        async def one(name: str) -> None:
            nonlocal failed
            async with gate:
                if time.monotonic() > deadline:
                    failed += 1
                    return
                try:
                    await asyncio.wait_for(self.open_tab(name), 90)
                except PageShapeError:
                    raise
                except Exception as e:
                    failed += 1
                    print(f'[bench worker] {name}: {type(e).__name__}: {e}', flush=True)

        await asyncio.gather(*(one(n) for n in usernames))
        return failed

    def counters(self) -> dict[str, int]:
        return {'tabs': len(self.tabs), 'typing_updates': sum(t.typing_updates for t in self.tabs),
                'disconnected': sum(t.disconnected for t in self.tabs),
                **{f'tabs_group{g}': n for g, n in enumerate(self.group_tabs)}}

    async def close(self) -> None:
        await asyncio.gather(*(t.close() for t in self.tabs), return_exceptions=True)
        await asyncio.gather(*(s.close() for s in self.sessions), return_exceptions=True)
        self.tabs.clear()


async def _serve(conn: Connection, worker: Worker) -> None:
    loop = asyncio.get_running_loop()
    while True:
        command, arg = await loop.run_in_executor(None, conn.recv)
        if command == 'connect':
            try:
                conn.send(await worker.connect(*arg))
            except PageShapeError as e:
                conn.send(e)
        elif command == 'stats':  # arg: the lowest tag of interest, or (that tag, the instance group)
            since, group = arg if isinstance(arg, tuple) else (arg, -1)
            s = worker.stats if group < 0 else worker.groups[group]
            conn.send({tag: (s.count[tag], s.first[tag], s.last[tag]) for tag in s.count if tag >= (since or 0)})
        elif command == 'counters':
            conn.send(worker.counters())
        elif command == 'close':
            await worker.close()
            conn.send(True)
            return


def worker_main(conn: Connection, kind: str, base: str, room_id: int, password: str, concurrency: int,
                pins: list[str]) -> None:
    """Entry point of a client process: obey commands from the bench until 'close'."""
    try:
        asyncio.run(_serve(conn, Worker(kind, base, room_id, password, concurrency, pins)))
    except (EOFError, KeyboardInterrupt):
        pass


def merge(parts: list[dict[int, tuple[int, float, float]]]) -> dict[int, tuple[int, float, float]]:
    """Per message tag: total receipts, first and last receipt time across all workers."""
    out: dict[int, tuple[int, float, float]] = {}
    for part in parts:
        for tag, (n, first, last) in part.items():
            if tag in out:
                m, f, la = out[tag]
                out[tag] = (m + n, min(f, first), max(la, last))
            else:
                out[tag] = (n, first, last)
    return out


