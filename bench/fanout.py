"""Fan-out: N clients in one room, a sender posting over HTTP; deliveries/s, latency, memory, CPU."""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import statistics
import time
from typing import Any

import aiohttp

from .clients import merge, worker_main
from .procs import Server

CHUNK = 50
PUMPS = 16  # concurrent sends at saturation: enough that the server, not the sender, is the limit
WINDOW = 8000  # deliveries in flight at saturation (messages sent but not yet received by every client)
MAX_RSS = 6 << 30  # stop adding clients past this server RSS (the machine has no swap)


class Pool:
    """Client worker processes; clients are added level by level and stay connected."""

    def __init__(self, kind: str, base: str, room_id: int, password: str, workers: int) -> None:
        ctx = mp.get_context('spawn')
        self.conns = []
        self.procs = []
        for _ in range(workers):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=worker_main, args=(child, kind, base, room_id, password), daemon=True)
            p.start()
            self.conns.append(parent)
            self.procs.append(p)
        self.size = 0

    def ask(self, command: str, args: list[Any] | None = None, timeout: float = 300) -> list[Any]:
        for i, conn in enumerate(self.conns):
            conn.send((command, None if args is None else args[i]))
        out = []
        for conn in self.conns:
            if not conn.poll(timeout):
                raise TimeoutError(f'client worker did not answer {command!r}')
            out.append(conn.recv())
        return out

    def grow(self, usernames: list[str], budget: float) -> int:
        """Connect one client per name, spread over the workers, within `budget` seconds; return failures."""
        shares: list[list[str]] = [[] for _ in self.conns]
        for i, name in enumerate(usernames):
            shares[(self.size + i) % len(shares)].append(name)
        failed: int = sum(self.ask('connect', [(share, budget) for share in shares], timeout=budget + 120))
        self.size += len(usernames) - failed
        return failed

    def stats(self, since: int = 0) -> dict[int, tuple[int, float, float]]:
        return merge(self.ask('stats', [since] * len(self.conns)))

    def close(self) -> None:
        try:
            self.ask('close', timeout=30)
        except (OSError, EOFError, TimeoutError):
            pass
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join(5)


class Sender:
    def __init__(self, kind: str, base: str, room_id: int) -> None:
        self.kind, self.base, self.room_id = kind, base, room_id
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60),
                                             connector=aiohttp.TCPConnector(limit=16),
                                             cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.tag = 0
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
        body = f'bench m{tag}x'
        if self.kind == 'project':
            url, data = f'{self.base}/api/rooms/{self.room_id}/messages', {'body': body, 'client_id': f'b{tag}'}
        else:
            url, data = f'{self.base}/send', {'body': body}
        for attempt in range(2):
            self.sent[tag] = time.time()
            async with self.session.post(url, json=data) as r:
                if r.status == 201:
                    return
                if r.status != 401 or attempt:
                    raise RuntimeError(f'send failed: {r.status} {await r.text()}')
            self.resignins += 1  # NiceGUI pruned the page-less session's user storage: sign in again
            await self.sign_in(*self.credentials)

    async def close(self) -> None:
        await self.session.close()


async def _drain(pool: Pool, tags: set[int], n: int, within: float) -> dict[int, tuple[int, float, float]]:
    deadline = time.monotonic() + within
    while True:
        stats = pool.stats(min(tags, default=0))
        if all(stats.get(t, (0,))[0] >= n for t in tags) or time.monotonic() > deadline:
            return stats
        await asyncio.sleep(0.2)


async def saturate(pool: Pool, sender: Sender, n: int, seconds: float) -> dict[str, Any]:
    """Send as fast as the fan-out keeps up (a window of deliveries in flight); deliveries per second."""
    window = max(8, WINDOW // max(1, n))
    first_tag = sender.tag + 1
    start = time.time()
    done = 0

    async def pump() -> None:
        while time.time() - start < seconds:
            if sender.tag - first_tag + 1 - done >= window:
                await asyncio.sleep(0.005)
                continue
            await sender.send()

    async def watch() -> None:
        nonlocal done
        while time.time() - start < seconds:
            stats = await asyncio.to_thread(pool.stats, first_tag)
            done = sum(1 for t in range(first_tag, sender.tag + 1) if stats.get(t, (0,))[0] >= n)
            await asyncio.sleep(0.05)

    await asyncio.gather(*(pump() for _ in range(PUMPS)), watch())
    tags = set(range(first_tag, sender.tag + 1))
    stats = await _drain(pool, tags, n, 30)
    received = sum(stats[t][0] for t in tags if t in stats)
    last = max((stats[t][2] for t in tags if t in stats), default=time.time())
    rate = received / (last - start) if last > start else 0.0
    return {'messages': len(tags), 'deliveries': received, 'expected': len(tags) * n, 'per_second': rate}


async def fixed_rate(pool: Pool, sender: Sender, server: Server, n: int, seconds: float,
                     rate: float = 10.0) -> dict[str, Any]:
    """Send `rate` messages per second; latency from send to the last client; server CPU meanwhile."""
    assert server.ps is not None
    first_tag = sender.tag + 1
    server.ps.cpu_percent(None)
    begin = time.monotonic()
    count = int(seconds * rate)
    for i in range(count):
        await asyncio.sleep(max(0.0, begin + i / rate - time.monotonic()))
        await sender.send()
    cpu = server.ps.cpu_percent(None)
    tags = set(range(first_tag, sender.tag + 1))
    stats = await _drain(pool, tags, n, 20)
    lat = sorted((stats[t][2] - sender.sent[t]) * 1000 for t in tags if t in stats and stats[t][0] >= n)
    return {
        'messages': len(tags), 'complete': len(lat),
        'p50_ms': statistics.median(lat) if lat else None,
        'p99_ms': lat[min(len(lat) - 1, round(0.99 * (len(lat) - 1)))] if lat else None,
        'cpu_percent': cpu,
    }


async def run_levels(kind: str, server: Server, room_id: int, usernames: list[str], password: str,
                     levels: list[int], workers: int, sat_seconds: float, lat_seconds: float,
                     connect_budget: float) -> dict[int, Any]:
    """Grow the room to each N in `levels` and measure; the sender is usernames[0], clients the rest."""
    results: dict[int, Any] = {}
    pool = Pool(kind, server.url, room_id, password, workers)
    sender = Sender(kind, server.url, room_id)
    try:
        await sender.sign_in(usernames[0], password)
        await sender.send()  # warm up the sender path
        await asyncio.sleep(1.0)
        base_rss = server.rss()
        for n in levels:
            t0 = time.perf_counter()
            before = server.rss()
            failed, stop = 0, ''
            deadline = time.monotonic() + connect_budget
            while pool.size < n and not stop:  # in chunks, so a run away server or slow pages stop the growth
                chunk = usernames[1 + pool.size:1 + min(n, pool.size + CHUNK)]
                lost = await asyncio.to_thread(pool.grow, chunk, max(1.0, deadline - time.monotonic()))
                failed += lost
                if lost == len(chunk):
                    stop = 'no client of a chunk could connect'
                elif server.rss() > MAX_RSS:
                    stop = f'server RSS over {MAX_RSS >> 20} MiB'
                elif time.monotonic() > deadline:
                    stop = f'connect budget of {connect_budget:.0f} s spent'
            await asyncio.sleep(1.5)  # let connect handlers and catch-ups settle
            after = server.rss()
            connect_s = time.perf_counter() - t0
            sat = await saturate(pool, sender, pool.size, sat_seconds)
            await asyncio.sleep(0.5)
            lat = await fixed_rate(pool, sender, server, pool.size, lat_seconds)
            results[n] = {
                'clients': pool.size, 'failed': failed, 'connect_seconds': connect_s,
                'rss_base': base_rss, 'rss_before': before, 'rss_after': after,
                'kib_per_client': (after - base_rss) / 1024 / max(1, pool.size),
                'saturation': sat, 'fixed_rate': lat, 'sender_resignins': sender.resignins,
            }
            print(f'  {kind:8} N={n:5}: {sat["per_second"]:8.0f} deliveries/s  p99 {lat["p99_ms"]} ms  '
                  f'{results[n]["kib_per_client"]:.1f} KiB/client  cpu {lat["cpu_percent"]:.0f}%', flush=True)
            if pool.size < 0.9 * n:
                results[n]['incomplete'] = True
                results[n]['stopped'] = stop
                print(f'  {kind}: only {pool.size} of {n} clients connected ({stop}); skipping larger N', flush=True)
                break
    finally:
        await sender.close()
        await asyncio.to_thread(pool.close)
    return results
