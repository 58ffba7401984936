"""`python -m bench --day`: the largest number of people this machine serves, in one process.

U people over R rooms of Zipf sizes (room k has about U/k members; room 1 is `general`, everybody), each with
one tab (5 % two) living on its own timers (bench/dayworker.py). A step search over U: grow to the next U,
let the load settle, measure a window, check p99 fan-out (Enter to the last tab in the room) under 250 ms,
no tab dropped, no page load failed, no message missed and server CPU under 90 % of a core; stop at the
first step that fails or when the time budget is spent. The last line: `users=<U> p99_ms=<p99 at U>`.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from pathlib import Path
from typing import Any

import psutil

from .dayworker import SCROLL_EVERY, SEND_EVERY, SWITCH_EVERY, day_worker_main
from .fanout import Cpu
from .page import PageShapeError
from .procs import LOAD_TEST_ENV, Server
from .profile import Recorder

STEPS = [50, 100, 200, 350, 500, 750, 1000, 1400, 2000, 2800, 4000]
MIN_MESSAGES, MAX_WINDOW = 100, 90.0  # a small U gets a longer window: a p99 of some 100 messages at least
P99_MS, CPU_MAX = 250.0, 90.0
TWO_TABS = 20  # every 20th person has two tabs: 5 %


class DayPool:
    def __init__(self, url: str, password: str, workers: int, concurrency: int, *, reads: bool = True) -> None:
        ctx = mp.get_context('spawn')
        self.conns, self.procs = [], []
        for i in range(workers):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=day_worker_main, args=(child, i, url, password, concurrency, reads),
                            daemon=True)
            p.start()
            self.conns.append(parent)
            self.procs.append(p)
        self.ps = [psutil.Process(p.pid) for p in self.procs if p.pid is not None]
        self.people = 0

    def ask(self, command: str, args: list[Any] | None = None, timeout: float = 600) -> list[Any]:
        for i, conn in enumerate(self.conns):
            conn.send((command, None if args is None else args[i]))
        out = []
        for conn in self.conns:
            if not conn.poll(timeout):
                raise TimeoutError(f'day worker did not answer {command!r}')
            out.append(conn.recv())
        return out

    def add(self, people: list[tuple[str, list[int], int]]) -> int:
        shares: list[list[tuple[str, list[int], int]]] = [[] for _ in self.conns]
        for i, person in enumerate(people):
            shares[(self.people + i) % len(shares)].append(person)
        answers = self.ask('add', shares)
        for answer in answers:
            if isinstance(answer, PageShapeError):
                raise answer
        self.people += len(people)
        return int(sum(answers))

    def counters(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in self.ask('counters'):
            for k, v in part.items():
                out[k] = out.get(k, 0) + v
        return out

    def measure(self, since: float, until: float) -> dict[str, Any]:
        sends: dict[int, tuple[int, float]] = {}
        for part in self.ask('sends', [(since, until)] * len(self.conns)):
            sends.update(part)
        merged: dict[int, list[float]] = {}
        for part in self.ask('evaluate', [sends] * len(self.conns)):
            for tag, (expected, got, last) in part.items():
                m = merged.setdefault(tag, [0, 0, 0.0])
                m[0], m[1], m[2] = m[0] + expected, m[1] + got, max(m[2], last)
        done = sorted(((m[2] - sends[tag][1]) * 1000, tag) for tag, m in merged.items() if m[1] and m[0] == m[1])
        ms = [d for d, _ in done]
        loads = [load for part in self.ask('loads', [(since - 5, until + 5)] * len(self.conns)) for load in part]
        slowest = []
        for d, tag in done[-3:][::-1]:  # what else the server did meanwhile: the page loads under way
            room, sent = sends[tag]
            during = [(r, s) for t, r, s in loads if t < sent + d / 1000 and t + s > sent]
            slowest.append({'ms': d, 'room': room, 'at_s': sent - since, 'members_room': merged[tag][0],
                            'page_loads_during': len(during), 'general_loads_during': sum(r == 1 for r, _ in during)})

        def pct(q: float) -> float | None:
            return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))] if ms else None

        return {'messages': len(sends), 'deliveries': sum(int(m[1]) for m in merged.values()),
                'missed': sum(int(m[0] - m[1]) for m in merged.values()),
                'p50_ms': pct(0.5), 'p99_ms': pct(0.99), 'max_ms': ms[-1] if ms else None, 'slowest': slowest,
                'page_load_ms': _median([s * 1000 for t, _, s in loads if since <= t < until]),
                'general_load_ms': _median([s * 1000 for t, r, s in loads if r == 1 and since <= t < until])}

    def close(self) -> None:
        try:
            self.ask('close', timeout=60)
        except (OSError, EOFError, TimeoutError):
            pass
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.kill()
                p.join(5)


def _median(values: list[float]) -> float | None:
    return sorted(values)[len(values) // 2] if values else None


def people(names: list[str], memberships: dict[str, list[int]]) -> list[tuple[str, list[int], int]]:
    return [(name, memberships[name], 2 if i % TWO_TABS == TWO_TABS - 1 else 1) for i, name in enumerate(names)]


def search(server: Server, names: list[str], memberships: dict[str, list[int]], password: str, *, workers: int,
           concurrency: int, window: float, budget: float, max_users: int,
           profile: Path | None = None) -> list[dict[str, Any]]:
    """Step U up until a step fails or the budget is spent; a row per step measured."""
    assert server.ps is not None
    began = time.monotonic()
    pool = DayPool(server.url, password, workers, concurrency)
    rows: list[dict[str, Any]] = []
    opened_per_s = 20.0  # a first guess of page loads per second, refined by each step
    try:
        for users in [u for u in STEPS if u <= min(max_users, len(names))]:
            grow = users - pool.people
            measure_s = min(MAX_WINDOW, max(window, MIN_MESSAGES * SEND_EVERY / users))
            estimate = grow / opened_per_s + measure_s + 3 + GRACE_DRAIN
            if rows and time.monotonic() - began + estimate > budget:
                print(f'  day: stopping before U={users}: about {estimate:.0f} s more would pass the '
                      f'{budget:.0f} s budget', flush=True)
                break
            t0 = time.monotonic()
            start = pool.counters()
            failed = pool.add(people(names[pool.people:users], memberships))
            grow_s = time.monotonic() - t0
            opened_per_s = max(1.0, grow / max(0.1, grow_s))
            time.sleep(3)  # page builds and catch-ups of the last ones settle
            before = pool.counters()
            server_cpu, client_cpu = Cpu([server.ps]), Cpu(pool.ps)
            recorder = Recorder(server.ps.pid, measure_s, profile.with_name(f'{profile.stem}-U{users}.txt')) \
                if profile else None
            since = time.time()
            time.sleep(measure_s)
            until = time.time()
            where = recorder.wait() if recorder else None
            cpu, clients = server_cpu.percent(), client_cpu.percent()
            time.sleep(GRACE_DRAIN)
            after = pool.counters()
            row = pool.measure(since, until)
            row.update(users=users, tabs=after['tabs'], grow_seconds=grow_s, signin_failed=failed,
                       page_loads=after['page_loads'] - before['page_loads'],
                       failed_loads=after['failed_loads'] - start['failed_loads'] + failed,  # growth included
                       dropped=after['dropped'] - before['dropped'], cpu_percent=cpu, clients_cpu_percent=clients,
                       rss_mib=server.rss() / 2**20, window_s=until - since, load=os.getloadavg()[0])
            if where:
                row['profile'] = where
            row['ok'], row['why'] = verdict(row)
            rows.append(row)
            print('  ' + line(row), flush=True)
            if not row['ok']:
                break
    finally:
        pool.close()
    return rows


GRACE_DRAIN = 8.0  # seconds after the window before counting what arrived (more than dayworker.GRACE)


def verdict(row: dict[str, Any]) -> tuple[bool, str]:
    why = []
    if row['p99_ms'] is None or row['p99_ms'] >= P99_MS:
        why.append(f'p99 {row["p99_ms"] or 0:.0f} ms >= {P99_MS:.0f}')
    if row['dropped'] or row['failed_loads']:
        why.append(f'{row["dropped"]} tabs dropped, {row["failed_loads"]} page loads failed')
    if row['missed']:
        why.append(f'{row["missed"]} deliveries missed')
    if row['cpu_percent'] >= CPU_MAX:
        why.append(f'server CPU {row["cpu_percent"]:.0f}% >= {CPU_MAX:.0f}%')
    return not why, '; '.join(why)


def line(r: dict[str, Any]) -> str:
    def f(v: float | None) -> str:
        return '-' if v is None else f'{v:.0f}'
    return (f'U={r["users"]:>5} tabs={r["tabs"]:>5} | msgs {r["messages"]:>5} deliveries {r["deliveries"]:>7} | '
            f'p50 {f(r["p50_ms"]):>5} p99 {f(r["p99_ms"]):>5} max {f(r["max_ms"]):>5} ms | loads {r["page_loads"]:>4} '
            f'failed {r["failed_loads"]} dropped {r["dropped"]} missed {r["missed"]} | '
            f'CPU server {f(r["cpu_percent"])}% clients {f(r["clients_cpu_percent"])}% load {r.get("load", 0):.1f} | '
            f'RSS {f(r["rss_mib"])} MiB | '
            + ('ok' if r['ok'] else 'FAIL: ' + r['why']))


def run(data: Path, names: list[str], memberships: dict[str, list[int]], password: str, **kw: Any) -> dict[str, Any]:
    server = Server(['main.py'], '/login', data / 'app.log', {'CHAT_DATA_DIR': str(data), **LOAD_TEST_ENV})
    try:
        server.start()
        rows = search(server, names, memberships, password, **kw)
    finally:
        server.stop()
    return {'rows': rows}


def summary(rows: list[dict[str, Any]]) -> str:
    good = [r for r in rows if r['ok']]
    best = good[-1] if good else None
    return f'users={best["users"] if best else 0} p99_ms={best["p99_ms"] if best else 0:.0f}'


def _n(v: float | None) -> str:
    return '-' if v is None else f'{v:.0f}'


def table(out: dict[str, Any], cpus: int) -> str:
    """The steps as printed, and whether the clients (sharing the machine) limited the result."""
    rows = out['rows']
    lines = [f'A day in the life: U people over {out["rooms"]} rooms (Zipf sizes), one tab each (5 % two), a message '
             f'a minute typed first, a room switch every {SWITCH_EVERY / 60:.0f} min, history scrolled every '
             f'{SCROLL_EVERY / 60:.0f} min; {out["window"]:.0f} s measured per step; pass: p99 < {P99_MS:.0f} ms, '
             f'nothing dropped or missed, server CPU < {CPU_MAX:.0f} %.', '']
    for r in rows:
        lines.append(line(r))
        lines.append(f'    page loads in the window: median {_n(r.get("page_load_ms"))} ms, of general '
                     f'{_n(r.get("general_load_ms"))} ms; the slowest messages:')
        for m in r.get('slowest', []):
            lines.append(f'    {m["ms"]:6.0f} ms in room {m["room"]} ({m["members_room"]} tabs) at {m["at_s"]:.1f} s, '
                         f'page loads under way {m["page_loads_during"]} (of general {m["general_loads_during"]})')
    if rows and rows[-1].get('profile'):
        lines.append(f'Where the server spent the last step (py-spy):\n{rows[-1]["profile"]}')
    if rows:
        last = rows[-1]
        spare = cpus * 100 - last['cpu_percent']
        if last['clients_cpu_percent'] > 0.8 * spare:
            lines.append(f'Clients used {last["clients_cpu_percent"]:.0f}% CPU at the last step, '
                         f'{spare:.0f}% was left beside the server on {cpus} cores: the clients limit this result '
                         '(a lower bound for the server).')
        else:
            lines.append(f'Clients used {last["clients_cpu_percent"]:.0f}% CPU at the last step, less than the '
                         f'{spare:.0f}% left beside the server on {cpus} cores: they did not limit the result.')
    return '\n'.join(lines)
