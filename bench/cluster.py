"""`python -m bench --cluster`: what a second instance costs a message (issue 9).

The same fan-out (N receiving tabs, the sender tabs typing and sending at 10 msg/s) against, in turn:
the raw python-socketio baseline; one process (main.py on SQLite); one instance behind nginx on
PostgreSQL and Redis; two instances behind nginx on the same PostgreSQL and Redis, the receivers split
over both by nginx's `chat_node` cookie and the senders on the first, so half the deliveries cross the
Redis bus. The Redis hop is the two-instance p50 minus the one-instance p50 (target: at most 5 ms over one
process).
"""
from __future__ import annotations

import asyncio
import secrets
import tempfile
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from deploy import cluster as deploy
from deploy.cluster import Cluster

from .fanout import SENDERS, Target, run_levels
from .procs import LOAD_TEST_ENV, Server
from .report import _f
from .seed import PASSWORD, prepare

PG = 'postgresql://postgres@127.0.0.1:5432'
HOP_TARGET_MS = 5.0


def node_pin(cluster: Cluster, index: int) -> str:
    """A `chat_node` cookie value nginx routes to instance `index` (1-based); needs debug_header=True."""
    want = cluster.nodes[index - 1].address
    for i in range(500):
        served = httpx.get(f'{cluster.url}/login', cookies={'chat_node': f'pin{i}'}, timeout=5).headers.get(
            'x-chat-upstream')
        if served == want:
            return f'pin{i}'
    raise RuntimeError(f'no chat_node cookie routes to {want} (is debug_header on?)')


async def _drop(name: str) -> None:
    admin = await asyncpg.connect(f'{PG}/postgres', timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _measure(target: Target, room: int, names: list[str], n: int, workers: int, times: tuple[float, float],
             budget: float, profile: Path | None = None, label: str = '') -> dict[str, Any]:
    where = profile.with_name(f'{profile.stem}-{label}.txt') if profile else None
    out = asyncio.run(run_levels(target, room, names, PASSWORD, [n], workers, times, budget, set(), profile=where))
    return dict(out.get(n, {}))


def run(n: int, workers: int, times: tuple[float, float], budget: float, profile: Path | None = None) -> dict[str, Any]:
    """Every row in turn; `profile`: py-spy on the server (instance 1 of a cluster) during each 10 msg/s phase."""
    names = [f'clus{i:04d}' for i in range(n + SENDERS)]
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix='chat-bench-cluster-') as tmp:
        root = Path(tmp)
        base = Server(['-m', 'bench.baseline', '{port}'], '/', root / 'baseline.log')
        try:
            base.start()
            rows['baseline'] = _measure(Target('baseline', base.url, [base.ps] if base.ps else []), 1, names, n,
                                        workers, times, budget)
        finally:
            base.stop()
        sqlite = root / 'sqlite'
        room = prepare(sqlite, names, {'crowd': n + SENDERS})['crowd']
        one = Server(['main.py'], '/login', root / 'one.log', {'CHAT_DATA_DIR': str(sqlite), **LOAD_TEST_ENV})
        try:
            one.start()
            rows['one process (SQLite)'] = _measure(Target('project', one.url, [one.ps] if one.ps else []), room,
                                                    names, n, workers, times, budget, profile, 'one')
        finally:
            one.stop()
        database = f'bench_cluster_{secrets.token_hex(4)}'
        url = f'postgresql+asyncpg://postgres@127.0.0.1:5432/{database}'
        try:
            for instances in (1, 2):
                env = {**LOAD_TEST_ENV, 'CHAT_REDIS_PREFIX': f'bench-{database}:'}
                cluster = deploy.Cluster(instances, root / f'cluster{instances}', database_url=url,
                                         port=deploy.free_port(), debug_header=True, env=env)
                with cluster:
                    if instances == 1:
                        room = prepare(root / 'pg-seed', names, {'crowd': n + SENDERS}, database_url=url)['crowd']
                    processes = [psutil.Process(node.process.pid) for node in cluster.nodes if node.process]
                    pins = [node_pin(cluster, i + 1) for i in range(instances)]
                    rows[f'{instances} instance{"s" if instances > 1 else ""} + nginx (PostgreSQL, Redis)'] = \
                        _measure(Target('project', cluster.url, processes, pins), room, names, n, workers, times,
                                 budget, profile, f'cluster{instances}')
        finally:
            asyncio.run(_drop(database))
    return {'n': n, 'rows': rows}


def table(out: dict[str, Any]) -> str:
    n, rows = out['n'], out['rows']
    head = (f'{"N=" + str(n) + ", 10 msg/s, Enter to the last tab":44} | {"msgs":>5} {"complete":>8} {"p50 ms":>7} '
            f'{"p99 ms":>7} {"p99.9 ms":>8} {"max ms":>7} | {"CPU%":>5} {"deliv/s":>8}')
    lines = [head, '-' * len(head)]
    def add(name: str, r: dict[str, Any], cpu: str, deliveries: str) -> None:
        lines.append(f'{name:44} | {r.get("messages", 0):>5} {r.get("complete", 0):>8} {_f(r.get("p50_ms"), ".1f"):>7} '
                     f'{_f(r.get("p99_ms"), ".1f"):>7} {_f(r.get("p999_ms"), ".1f"):>8} {_f(r.get("max_ms"), ".1f"):>7}'
                     f' | {cpu:>5} {deliveries:>8}')

    for name, row in rows.items():
        r = row.get('fixed_rate') or {}
        add(name, r, _f(r.get('cpu_percent')), _f((row.get('saturation') or {}).get('per_second')))
        for index, part in (r.get('by_instance') or {}).items():
            add(f'  its tabs on instance {index}' + (" (the senders')" if str(index) == '1' else ' (over Redis)'),
                part, '', '')
    one = _p50(rows, 'one process')
    first, second = _p50(rows, '1 instance'), _p50(rows, '2 instances')
    if second is None:
        reached = ((rows.get(next((k for k in rows if k.startswith('2 instances')), ''), {}).get('fixed_rate') or {})
                   .get('reached_median'))
        lines.append(f'Two instances: no message reached every tab (a message reached {_f(reached)} of {n} tabs, '
                     'median): the tabs on instance 2 need the Redis bus.')
    else:
        hop = second - first if first is not None else None
        over = second - one if one is not None else None
        split = next((r['fixed_rate'].get('by_instance') for k, r in rows.items() if k.startswith('2 instances')), None)
        local, remote = (split or {}).get(1, {}).get('p50_ms'), (split or {}).get(2, {}).get('p50_ms')
        within = remote - local if local is not None and remote is not None else None
        lines.append(f'Redis hop, p50: tabs on instance 2 - tabs on instance 1 (same messages) {_f(within, ".1f")} ms; '
                     f'2 instances - 1 instance {_f(hop, ".1f")} ms; 2 instances - one process {_f(over, ".1f")} ms '
                     f'(target <= {HOP_TARGET_MS:.0f} ms)')
    return '\n'.join(lines)


def _p50(rows: dict[str, Any], prefix: str) -> float | None:
    for name, row in rows.items():
        if name.startswith(prefix):
            value = (row.get('fixed_rate') or {}).get('p50_ms')
            return float(value) if value is not None else None
    return None
