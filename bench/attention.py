"""`python -m bench --attention`: what attention (read positions, receipts, badges) costs the day's workload.

The mixed workload of `--day` (bench/dayworker.py) at a fixed number of people, measured three times on copies
of the same seeded data, each on a fresh server:
- reads off: the tabs never emit `read` (what the app cost before attention; the drawers still hear activity);
- receipts on: every tab reads what arrives, as a visible, focused page does (bench/reading.py);
- receipts off: the same, with every user's `send_receipts` false in the database before the server starts.
A row per variant: messages and reads sent per second, p50/p99 from Enter to the last tab in the room, server
CPU, and the frames each tab received per second by kind; then p99 and CPU of receipts on over reads off.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from .day import GRACE_DRAIN, DayPool, people
from .fanout import Cpu
from .procs import LOAD_TEST_ENV, Server
from .reading import KINDS

SETTLE = 3.0  # seconds after the tabs opened: page builds and catch-ups of the last ones
# (name, tabs emit `read`, users send receipts)
VARIANTS = (('reads off', False, True), ('receipts on', True, True), ('receipts off', True, False))


def receipts_off(db: Path) -> int:
    """Every user's send_receipts false (the account page's switch, for everybody); the users changed."""
    con = sqlite3.connect(db)
    try:
        with con:
            return con.execute('UPDATE users SET send_receipts = 0').rowcount
    finally:
        con.close()


def per_tab_second(before: dict[str, int], after: dict[str, int], seconds: float) -> dict[str, float]:
    """Frames received per tab per second by kind over a window (tabs: the mean of the open tabs at its ends)."""
    tabs = max(1.0, (before['tabs'] + after['tabs']) / 2)
    return {kind: (after[f'frames_{kind}'] - before[f'frames_{kind}']) / tabs / max(seconds, 1e-6) for kind in KINDS}


def measure(data: Path, names: list[str], memberships: dict[str, list[int]], password: str, *, reads: bool,
            workers: int, concurrency: int, window: float) -> dict[str, Any]:
    """One variant on its own server: open everybody's tabs, settle, measure a window, drain, count."""
    server = Server(['main.py'], '/login', data / 'app.log', {'CHAT_DATA_DIR': str(data), **LOAD_TEST_ENV})
    pool: DayPool | None = None
    try:
        server.start()
        assert server.ps is not None
        pool = DayPool(server.url, password, workers, concurrency, reads=reads)
        t0 = time.monotonic()
        failed = pool.add(people(names, memberships))
        grow_s = time.monotonic() - t0
        time.sleep(SETTLE)
        before = pool.counters()
        server_cpu, client_cpu = Cpu([server.ps]), Cpu(pool.ps)
        since = time.time()
        time.sleep(window)
        until = time.time()
        after = pool.counters()
        cpu, clients = server_cpu.percent(), client_cpu.percent()
        time.sleep(GRACE_DRAIN)
        row = pool.measure(since, until)
        seconds = until - since
        row.update(users=len(names), tabs=after['tabs'], grow_seconds=grow_s, signin_failed=failed,
                   failed_loads=after['failed_loads'] - before['failed_loads'] + failed,
                   dropped=after['dropped'], cpu_percent=cpu, clients_cpu_percent=clients, window_s=seconds,
                   messages_per_s=row['messages'] / seconds,
                   reads_per_s=(after['reads_sent'] - before['reads_sent']) / seconds,
                   frames_per_tab_s=per_tab_second(before, after, seconds), load=os.getloadavg()[0],
                   rss_mib=server.rss() / 2**20)
        return row
    finally:
        if pool is not None:
            pool.close()
        server.stop()


def run(seeded: Path, work: Path, names: list[str], memberships: dict[str, list[int]], password: str,
        **kw: Any) -> dict[str, Any]:
    """The three variants, each on a fresh copy of the seeded data dir."""
    rows = []
    for name, reads, receipts in VARIANTS:
        data = work / name.replace(' ', '-')
        shutil.copytree(seeded, data, ignore=shutil.ignore_patterns('sessions', '*.log'))
        if not receipts:
            receipts_off(data / 'chat.db')
        row = measure(data, names, memberships, password, reads=reads, **kw)
        row.update(variant=name, reads=reads, receipts=receipts)
        rows.append(row)
        print('  ' + line(row), flush=True)
        shutil.rmtree(data, ignore_errors=True)
    return {'rows': rows, 'ratios': ratios(rows)}


def _by(rows: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next((r for r in rows if r['variant'] == name), {})


def _over(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def ratios(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    on, off, plain = _by(rows, 'receipts on'), _by(rows, 'receipts off'), _by(rows, 'reads off')
    return {'p99_on_over_reads_off': _over(on.get('p99_ms'), plain.get('p99_ms')),
            'cpu_on_over_reads_off': _over(on.get('cpu_percent'), plain.get('cpu_percent')),
            'p99_on_over_receipts_off': _over(on.get('p99_ms'), off.get('p99_ms')),
            'cpu_on_over_receipts_off': _over(on.get('cpu_percent'), off.get('cpu_percent'))}


HEAD = (f'{"variant":<12} | {"users":>5} {"tabs":>5} | {"msg/s":>5} {"reads/s":>7} | {"p50 ms":>6} {"p99 ms":>6} | '
        f'{"CPU%":>4} {"clients":>7} | {"msg":>5} {"activity":>8} {"attn":>5} {"receipts":>8} /tab/s | '
        'missed dropped failed | load')


def _n(v: float | None, fmt: str = '.0f') -> str:
    return '-' if v is None else format(v, fmt)


def line(r: dict[str, Any]) -> str:
    f = r['frames_per_tab_s']
    return (f'{r["variant"]:<12} | {r["users"]:>5} {r["tabs"]:>5} | {r["messages_per_s"]:>5.1f} '
            f'{r["reads_per_s"]:>7.1f} | {_n(r["p50_ms"]):>6} {_n(r["p99_ms"]):>6} | {r["cpu_percent"]:>4.0f} '
            f'{r["clients_cpu_percent"]:>7.0f} | {f["msg"]:>5.2f} {f["activity"]:>8.2f} {f["attn"]:>5.2f} '
            f'{f["receipts"]:>8.2f}        | {r["missed"]:>6} {r["dropped"]:>7} {r["failed_loads"]:>6} | '
            f'{r["load"]:>4.1f}')


def table(out: dict[str, Any]) -> str:
    q = out['ratios']
    return '\n'.join([
        f'Attention: {out["users"]} people over {out["rooms"]} rooms (the --day workload), {out["window"]:.0f} s '
        'measured per variant on a fresh server and a copy of the same seeded data; frames per tab per second: '
        'chat:msg, chat:activity, chat:attn frames and room.receipts events (in chat:live).', '', HEAD,
        *(line(r) for r in out['rows']), '',
        f'p99(receipts on)/p99(reads off) = {_n(q["p99_on_over_reads_off"], ".2f")}   '
        f'CPU(receipts on)/CPU(reads off) = {_n(q["cpu_on_over_reads_off"], ".2f")}   '
        f'(receipts on/receipts off: p99 {_n(q["p99_on_over_receipts_off"], ".2f")}, '
        f'CPU {_n(q["cpu_on_over_receipts_off"], ".2f")})'])
