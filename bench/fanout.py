"""Fan-out: N receiving tabs in one room and S sender tabs typing and sending; deliveries/s, latency, CPU, memory."""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from .page import PageShapeError
from .profile import Recorder
from .senders import HttpSender, TabSenders
from .workers import merge, worker_main

CHUNK = 50
PUMPS = 16  # concurrent sends at saturation: enough that the server, not the sender, is the limit
WINDOW = 8000  # deliveries in flight at saturation (messages sent but not yet received by every client)
MAX_RSS = 6 << 30  # stop adding clients past this server RSS (the machine has no swap)
SENDERS = 10  # sender tabs: 10 msg/s is one message a second from each, typed through the second before
RATE = 10.0
Receipts = dict[int, tuple[int, float, float]]  # tag -> (receipts, first, last)
Sender = TabSenders | HttpSender


@dataclass
class Target:
    """What is measured: its URL and its processes (one server, or the instances of a cluster)."""

    kind: str  # 'project' or 'baseline'
    url: str
    processes: list[psutil.Process]
    pins: list[str] = field(default_factory=list)  # chat_node cookies: receivers spread, senders on the first

    def rss(self) -> int:
        return sum(int(p.memory_info().rss) for p in self.processes)


class Pool:
    """Client worker processes; tabs are added level by level and stay open."""

    def __init__(self, target: Target, room_id: int, password: str, workers: int, concurrency: int) -> None:
        ctx = mp.get_context('spawn')
        self.conns = []
        self.procs = []
        for _ in range(workers):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=worker_main, daemon=True, args=(child, target.kind, target.url, room_id, password,
                                                                   concurrency, target.pins))
            p.start()
            self.conns.append(parent)
            self.procs.append(p)
        self.ps = [psutil.Process(p.pid) for p in self.procs if p.pid is not None]
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
        """Open one tab per name, spread over the workers, within `budget` seconds; return failures."""
        shares: list[list[str]] = [[] for _ in self.conns]
        for i, name in enumerate(usernames):
            shares[(self.size + i) % len(shares)].append(name)
        answers = self.ask('connect', [(share, budget) for share in shares], timeout=budget + 120)
        for answer in answers:
            if isinstance(answer, PageShapeError):
                raise answer
        failed = sum(answers)
        self.size += len(usernames) - failed
        return int(failed)

    def stats(self, since: int = 0, group: int = -1) -> Receipts:
        """Receipts of messages from tag `since` on, of all tabs or of the tabs on instance `group` (0-based)."""
        return merge(self.ask('stats', [(since, group)] * len(self.conns)))

    def counters(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in self.ask('counters'):
            for k, v in part.items():
                out[k] = out.get(k, 0) + v
        return out

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


class Cpu:
    """CPU% of some processes over an interval (100 = one core busy)."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes = processes
        self.began = time.monotonic()
        self.times = [self._time(p) for p in processes]

    @staticmethod
    def _time(p: psutil.Process) -> float:
        try:
            t = p.cpu_times()
            return float(t.user + t.system)
        except psutil.Error:
            return 0.0

    def percent(self) -> float:
        spent = sum(self._time(p) - t for p, t in zip(self.processes, self.times, strict=True))
        return 100 * spent / max(1e-6, time.monotonic() - self.began)


def latency(stats: Receipts, sent: dict[int, float], tags: set[int], n: int, start: float) -> dict[str, Any]:
    """Send to the LAST of the n tabs, per message: p50, p99, p99.9, the slowest; messages some tab missed."""
    full = [t for t in tags if t in sent and t in stats and stats[t][0] >= max(1, n)]
    done = sorted(((stats[t][2] - sent[t]) * 1000, t) for t in full)
    ms = [d for d, _ in done]

    def pct(q: float) -> float | None:
        return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))] if ms else None

    slowest = done[-1] if done else None
    reached = sorted(stats.get(t, (0,))[0] for t in tags)
    return {'messages': len(tags), 'complete': len(ms), 'reached_median': reached[len(reached) // 2] if reached else 0,
            'p50_ms': pct(0.5), 'p99_ms': pct(0.99),
            'p999_ms': pct(0.999), 'max_ms': ms[-1] if ms else None,
            'slowest': {'tag': slowest[1], 'ms': slowest[0], 'at_s': sent[slowest[1]] - start} if slowest else None}


async def _drain(pool: Pool, tags: set[int], n: int, within: float) -> Receipts:
    deadline = time.monotonic() + within
    while True:
        stats = await asyncio.to_thread(pool.stats, min(tags, default=0))
        if all(stats.get(t, (0,))[0] >= n for t in tags) or time.monotonic() > deadline:
            return stats
        await asyncio.sleep(0.2)


async def saturate(pool: Pool, sender: Sender, n: int, seconds: float, target: Target | None = None,
                   profile: Path | None = None) -> dict[str, Any]:
    """Send as fast as the fan-out keeps up (a window of deliveries in flight); deliveries per second."""
    recorder = Recorder(target.processes[0].pid, seconds, profile) if profile and target and target.processes \
        else None
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
    if recorder is not None:
        print(f'  profile of the server at saturation, N={n} (py-spy, {profile}):\n'
              f'{await asyncio.to_thread(recorder.wait, True)}', flush=True)
    tags = set(range(first_tag, sender.tag + 1))
    stats = await _drain(pool, tags, n, 30)
    received = sum(stats[t][0] for t in tags if t in stats)
    last = max((stats[t][2] for t in tags if t in stats), default=time.time())
    rate = received / (last - start) if last > start else 0.0
    return {'messages': len(tags), 'deliveries': received, 'expected': len(tags) * n, 'per_second': rate}


async def fixed_rate(pool: Pool, sender: Sender, target: Target, n: int, seconds: float,
                     profile: Path | None = None) -> dict[str, Any]:
    """RATE messages/s (tabs typing before each); latency to the last tab; server and client CPU meanwhile."""
    first_tag = sender.tag + 1
    recorder = Recorder(target.processes[0].pid, seconds, profile) if profile and target.processes else None
    before = await asyncio.to_thread(pool.counters)
    sender_before = sender.counters()
    server, clients = Cpu(target.processes), Cpu(pool.ps)
    start = time.time()
    await sender.run_at(RATE, seconds)
    cpu, client_cpu, spent = server.percent(), clients.percent(), time.time() - start
    where = await asyncio.to_thread(recorder.wait) if recorder else None
    tags = set(range(first_tag, sender.tag + 1))
    stats = await _drain(pool, tags, n, 20)
    after = await asyncio.to_thread(pool.counters)
    typing = after['typing_updates'] - before['typing_updates']
    out = latency(stats, sender.sent, tags, n, start)
    if where:
        out['profile'] = where
        print(f'  profile of the server at N={n} (py-spy, {profile}):\n{where}', flush=True)
    if len(target.pins) > 1:  # latency to the last tab on each instance: the senders' own, and across Redis
        out['by_instance'] = {}
        for g in range(len(target.pins)):
            group = await asyncio.to_thread(pool.stats, first_tag, g)
            out['by_instance'][g + 1] = latency(group, sender.sent, tags, after.get(f'tabs_group{g}', 0), start)
    sender_after = sender.counters()
    out.update(cpu_percent=cpu, clients_cpu_percent=client_cpu, seconds=spent,
               typing_sent_per_s=(sender_after['typing_sent'] - sender_before['typing_sent']) / max(1e-6, spent),
               typing_per_tab_s=typing / max(1, n) / max(1e-6, spent),
               dropped=after['disconnected'] + sender_after['disconnected'] - sender_before['disconnected'])
    return out


async def run_levels(target: Target, room_id: int, usernames: list[str], password: str, levels: list[int],
                     workers: int, times: tuple[float, float], budget: float, http_at: set[int],
                     concurrency: int = 2, profile: Path | None = None) -> dict[int, Any]:
    """Grow the room to each N and measure. usernames[:SENDERS] send (tabs, and HTTP), the rest receive."""
    results: dict[int, Any] = {}
    sat_seconds, lat_seconds = times
    senders = TabSenders(target.kind, target.url, room_id)
    await senders.open(usernames[:SENDERS], password, target.pins[0] if target.pins else '')
    http = HttpSender(target.kind, target.url, room_id, first_tag=10_000_000)
    pool = Pool(target, room_id, password, workers, concurrency)
    receivers = usernames[SENDERS:]
    try:
        await http.sign_in(usernames[0], password)
        await senders.send()  # warm up both paths
        await http.send()
        await asyncio.sleep(1.0)
        base_rss = target.rss()
        for n in levels:
            t0 = time.perf_counter()
            before, failed, stop = target.rss(), 0, ''
            deadline = time.monotonic() + budget
            where = profile.with_name(f'{profile.stem}-{target.kind}-open-{n}.txt') if profile and n == max(levels) \
                else None
            recorder = Recorder(target.processes[0].pid, None, where) if where and target.processes else None
            opening = None
            while pool.size < n and not stop:  # in chunks, so a run away server or slow pages stop the growth
                chunk = receivers[pool.size:min(n, pool.size + CHUNK)]
                lost = await asyncio.to_thread(pool.grow, chunk, max(1.0, deadline - time.monotonic()))
                failed += lost
                if lost == len(chunk):
                    stop = 'no client of a chunk could connect'
                elif target.rss() > MAX_RSS:
                    stop = f'server RSS over {MAX_RSS >> 20} MiB'
                elif time.monotonic() > deadline:
                    stop = f'connect budget of {budget:.0f} s spent'
            if recorder is not None:
                opening = await asyncio.to_thread(recorder.wait, True)
                print(f'  profile of the server opening {n} tabs (py-spy, {where}):\n{opening}', flush=True)
            await asyncio.sleep(1.5)  # let connect handlers and catch-ups settle
            after, connect_s = target.rss(), time.perf_counter() - t0
            row: dict[str, Any] = {
                'clients': pool.size, 'senders': len(senders.tabs), 'failed': failed, 'connect_seconds': connect_s,
                'rss_base': base_rss, 'rss_before': before, 'rss_after': after,
                'kib_per_client': (after - base_rss) / 1024 / max(1, pool.size + len(senders.tabs)),
            }
            if opening is not None:
                row['open_profile'] = opening
            where = profile.with_name(f'{profile.stem}-{target.kind}-saturation-{n}.txt') \
                if profile and n == max(levels) else None
            row['saturation'] = await saturate(pool, senders, pool.size, sat_seconds, target, where)
            await asyncio.sleep(0.5)
            where = profile.with_name(f'{profile.stem}-{target.kind}-{n}.txt') if profile and n == max(levels) else None
            row['fixed_rate'] = await fixed_rate(pool, senders, target, pool.size, lat_seconds, where)
            if n in http_at:
                row['http_saturation'] = await saturate(pool, http, pool.size, sat_seconds)
                await asyncio.sleep(0.5)
                row['http_fixed_rate'] = await fixed_rate(pool, http, target, pool.size, lat_seconds / 2)
            row['sender_resignins'] = http.resignins
            results[n] = row
            lat = row['fixed_rate']
            print(f'  {target.kind:8} N={n:5}: {row["saturation"]["per_second"]:8.0f} deliveries/s  p50 '
                  f'{_ms(lat["p50_ms"])} p99 {_ms(lat["p99_ms"])} max {_ms(lat["max_ms"])} ms  '
                  f'{row["kib_per_client"]:.1f} KiB/tab  cpu {lat["cpu_percent"]:.0f}% '
                  f'(clients {lat["clients_cpu_percent"]:.0f}%)  connect {connect_s:.0f} s', flush=True)
            if pool.size < 0.9 * n:
                row['incomplete'], row['stopped'] = True, stop
                print(f'  {target.kind}: only {pool.size} of {n} tabs opened ({stop}); skipping larger N', flush=True)
                break
    finally:
        await senders.close()
        await http.close()
        await asyncio.to_thread(pool.close)
    return results


def _ms(value: float | None) -> str:
    return '-' if value is None else f'{value:.0f}'
