"""`python -m bench [--quick]`: the chat (real main.py, SQLite) against a plain python-socketio broadcast.

Clients are python-socketio clients in worker processes (the same number of processes for both servers);
times are `time.time()` on this machine's clock in the sender (bench process) and in the workers.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import attention, cluster, day, report, roomopen
from .fanout import SENDERS, Target, run_levels
from .procs import LOAD_TEST_ENV, Server
from .seed import PASSWORD, fill, join_bulk, prepare, user_ids, zipf_memberships

HISTORY = 10_000
BIG_ROOM = 1_000_000
CROWD = 200  # N up to this run in a room of CROWD + SENDERS members; larger N in `general` (everybody)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='python -m bench', description=__doc__)
    parser.add_argument('--quick', action='store_true', help='N = 10 and 200 only (about two minutes)')
    parser.add_argument('--levels', type=lambda s: [int(x) for x in s.split(',')], help='e.g. 10,50')
    parser.add_argument('--workers', type=int, default=4, help='client processes per server (default 4)')
    parser.add_argument('--concurrency', type=int, default=3,
                        help='page loads in flight per client process while tabs open (default 3)')
    parser.add_argument('--seconds', type=float, help='length of each 10 msg/s phase (default 12 quick, 30 full)')
    parser.add_argument('--fresh', action='store_true', help='rebuild the seeded database (else reused)')
    parser.add_argument('--big-room', type=int, default=BIG_ROOM, help='messages in the room-open test')
    parser.add_argument('--profile', action='store_true',
                        help='py-spy samples the servers during the 10 msg/s phase at the largest N (bench/profile.py)')
    parser.add_argument('--cluster', action='store_true',
                        help='fan-out on 2 instances behind nginx beside one process and the baseline '
                        '(bench/cluster.py)')
    day = parser.add_argument_group('a day in the life (--day)')
    day.add_argument('--day', action='store_true', help='search the largest number of people served (bench/day.py)')
    day.add_argument('--max-users', type=int, default=2800, help='the largest U tried (default 2800)')
    day.add_argument('--rooms', type=int, default=60, help='rooms of Zipf sizes (default 60)')
    day.add_argument('--window', type=float, default=40.0, help='seconds measured per step (default 40)')
    day.add_argument('--budget', type=float, default=600.0, help='no step starts past this many seconds (600)')
    attn = parser.add_argument_group('attention (--attention: the --day workload at --users, --rooms, --window)')
    attn.add_argument('--attention', action='store_true',
                      help='reads off, receipts on, receipts off at a fixed number of people (bench/attention.py)')
    attn.add_argument('--users', type=int, default=300, help='people in --attention (default 300)')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.day:
        return day_main(args)
    if args.attention:
        return attention_main(args)
    if args.cluster:
        return cluster_main(args)
    levels = args.levels or ([10, 200] if args.quick else [10, 50, 200, 1000])
    sat_s, lat_s = (3.0, 12.0) if args.quick else (4.0, 30.0)
    lat_s = args.seconds or lat_s
    budget = 150.0 if args.quick else 300.0  # seconds to connect the clients of one level
    results: dict[str, Any] = {
        'started': time.strftime('%Y-%m-%dT%H:%M:%S%z'), 'quick': args.quick, 'levels': levels,
        'machine': {'cpus': os.cpu_count(), 'python': sys.version.split()[0], 'platform': platform.platform()},
        'clock': 'time.time() in the bench process (send) and in client worker processes (receive)',
        'workers': args.workers, 'history_messages': HISTORY, 'phase_seconds': lat_s,
    }
    with tempfile.TemporaryDirectory(prefix='chat-bench-') as tmp:
        data = Path(tmp) / 'data'
        names = [f'bench{i:04d}' for i in range(max(levels) + SENDERS)]
        t0 = time.perf_counter()
        rooms = seed(data, names, args)
        print(f'seeded {len(names)} users, {HISTORY:,} messages in general, {args.big_room:,} in big '
              f'({time.perf_counter() - t0:.1f} s)', flush=True)
        results['seed_seconds'] = time.perf_counter() - t0
        groups = [(rooms.get('crowd', 1), [n for n in levels if n <= CROWD]), (1, [n for n in levels if n > CROWD])]
        groups = [(room, ns) for room, ns in groups if ns]
        results['rooms'] = {'levels up to': CROWD, 'members': {str(r): len(names) if r == 1 else CROWD + SENDERS
                                                               for r, _ in groups}}
        results['project'] = run_project(data, names, rooms['big'], groups, args, sat_s, lat_s, budget)
        results['baseline'] = run_baseline(data, names, groups, args, sat_s, lat_s, budget)
    path = report.save(results)
    print()
    print(report.table(results))
    print(f'\nresults: {path}')
    print(report.final_line(results))
    return 0


def seed(data: Path, names: list[str], args: argparse.Namespace) -> dict[str, int]:
    """Users and history; the seeded database is kept in bench/results/ and copied on later runs."""
    cache = report.RESULTS / f'seed-v3-{len(names)}-{HISTORY}-{args.big_room}'
    if cache.is_dir() and not args.fresh:
        shutil.copytree(cache, data)
        cached: dict[str, int] = json.loads((data / 'rooms.json').read_text())
        return cached
    crowd = CROWD + SENDERS
    rooms = prepare(data, names, {'big': 1, **({'crowd': crowd} if len(names) > crowd else {})})
    rooms['general'] = 1
    for name in ('general', 'crowd'):
        if name in rooms:
            fill(data / 'chat.db', rooms[name], HISTORY)
    fill(data / 'chat.db', rooms['big'], args.big_room)
    (data / 'rooms.json').write_text(json.dumps(rooms))
    shutil.rmtree(cache, ignore_errors=True)
    report.RESULTS.mkdir(exist_ok=True)
    shutil.copytree(data, cache, ignore=shutil.ignore_patterns('sessions', '*.log'))
    return rooms


def cluster_main(args: argparse.Namespace) -> int:
    """`--cluster`: N = the largest of --levels (default 200, 100 with --quick)."""
    n = max(args.levels or [100 if args.quick else 200])
    began = time.monotonic()
    out = cluster.run(n, args.workers, (3.0, args.seconds or (12.0 if args.quick else 30.0)), 300.0,
                      profile_path(args))
    out.update(started=time.strftime('%Y-%m-%dT%H:%M:%S%z'), seconds=time.monotonic() - began,
               machine={'cpus': os.cpu_count(), 'load': os.getloadavg()})
    path = report.save(out, 'cluster-')
    print()
    print(cluster.table(out))
    print(f'\nresults: {path} ({out["seconds"]:.0f} s)')
    return 0


def day_main(args: argparse.Namespace) -> int:
    """`--day`: seed (cached) U people over R rooms, then the step search of bench/day.py."""
    names = [f'day{i:05d}' for i in range(args.max_users)]
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='chat-bench-day-') as tmp:
        data = Path(tmp) / 'data'
        memberships = seed_day(data, names, args)
        print(f'seeded {len(names)} people over {args.rooms} rooms ({time.monotonic() - began:.1f} s); '
              f'steps of U up to {args.max_users}, {args.window:.0f} s windows, budget {args.budget:.0f} s', flush=True)
        out = day.run(data, names, memberships, PASSWORD, workers=args.workers, concurrency=args.concurrency,
                      window=args.window, budget=args.budget, max_users=args.max_users, profile=profile_path(args))
    out.update(started=time.strftime('%Y-%m-%dT%H:%M:%S%z'), seconds=time.monotonic() - began,
               machine={'cpus': os.cpu_count(), 'load': os.getloadavg()}, rooms=args.rooms, window=args.window)
    path = report.save(out, 'day-')
    print()
    print(day.table(out, os.cpu_count() or 1))
    print(f'\nresults: {path} ({out["seconds"]:.0f} s)')
    print(day.summary(out['rows']))
    return 0


def attention_main(args: argparse.Namespace) -> int:
    """`--attention`: seed (cached) --users people as --day does, then the three variants of bench/attention.py."""
    names = [f'day{i:05d}' for i in range(args.users)]
    began, load = time.monotonic(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix='chat-bench-attn-') as tmp:
        seeded = Path(tmp) / 'seed'
        memberships = seed_day(seeded, names, args)
        print(f'seeded {len(names)} people over {args.rooms} rooms ({time.monotonic() - began:.1f} s); '
              f'{args.window:.0f} s per variant, load average {load[0]:.1f}', flush=True)
        out = attention.run(seeded, Path(tmp), names, memberships, PASSWORD, workers=args.workers,
                            concurrency=args.concurrency, window=args.window)
    out.update(started=time.strftime('%Y-%m-%dT%H:%M:%S%z'), seconds=time.monotonic() - began, users=args.users,
               rooms=args.rooms, window=args.window,
               machine={'cpus': os.cpu_count(), 'load_before': load, 'load_after': os.getloadavg()})
    path = report.save(out, 'attention-')
    print()
    print(attention.table(out))
    print(f'\nresults: {path} ({out["seconds"]:.0f} s; load average {load[0]:.1f} before, '
          f'{out["machine"]["load_after"][0]:.1f} after)')
    return 0


def seed_day(data: Path, names: list[str], args: argparse.Namespace) -> dict[str, list[int]]:
    cache = report.RESULTS / f'day-seed-v1-{len(names)}-{args.rooms}'
    if cache.is_dir() and not args.fresh:
        shutil.copytree(cache, data)
    else:
        rooms = prepare(data, names, {f'day{k:02d}': 1 for k in range(2, args.rooms + 1)})  # everybody in general
        room_ids = [1] + [rooms[f'day{k:02d}'] for k in range(2, args.rooms + 1)]
        mine = zipf_memberships(len(names), room_ids)
        join_bulk(data / 'chat.db', user_ids(data / 'chat.db', names), mine)
        fill(data / 'chat.db', 1, 2000)
        for room in room_ids[1:]:
            fill(data / 'chat.db', room, 120)
        (data / 'memberships.json').write_text(json.dumps(dict(zip(names, mine, strict=True))))
        shutil.rmtree(cache, ignore_errors=True)
        report.RESULTS.mkdir(exist_ok=True)
        shutil.copytree(data, cache, ignore=shutil.ignore_patterns('sessions', '*.log'))
    loaded: dict[str, list[int]] = json.loads((data / 'memberships.json').read_text())
    return loaded


def project_server(data: Path) -> Server:
    return Server(['main.py'], '/login', data / 'app.log', {'CHAT_DATA_DIR': str(data), **LOAD_TEST_ENV})


Groups = list[tuple[int, list[int]]]  # (room id, the N measured in it)


def profile_path(args: argparse.Namespace) -> Path | None:
    if not args.profile:
        return None
    report.RESULTS.mkdir(exist_ok=True)
    return report.RESULTS / f'profile-{time.strftime("%Y%m%d-%H%M%S")}.txt'


def http_levels(ns: list[int]) -> set[int]:
    """The HTTP ingestion row is measured at N = 200 (or the largest N of the run up to it)."""
    small = [n for n in ns if n <= CROWD]
    return {max(small)} if small else set()


def run_project(data: Path, names: list[str], big: int, groups: Groups, args: argparse.Namespace,
                sat_s: float, lat_s: float, budget: float) -> dict[str, Any]:
    out: dict[str, Any] = {'cold_start_s': []}
    for _ in range(1 if args.quick else 2):  # extra cold starts: start, stop
        server = project_server(data)
        try:
            out['cold_start_s'].append(server.start())
        finally:
            server.stop()
    server = project_server(data)
    try:
        out['cold_start_s'].append(server.start())
        print(f'project up in {out["cold_start_s"][-1]:.2f} s (pid {server.process.pid if server.process else "?"})',
              flush=True)
        out['room_open'] = asyncio.run(roomopen.measure(server.url, names[0], PASSWORD, big))
        print(f'  open room: {out["room_open"]["open_room"]["median_ms"]:.1f} ms, older page '
              f'{out["room_open"]["older_page"]["median_ms"]:.1f} ms', flush=True)
        out['levels'] = {}
        for room, ns in groups:
            target = Target('project', server.url, [server.ps] if server.ps else [])
            levels_out = asyncio.run(run_levels(target, room, names, PASSWORD, ns, args.workers, (sat_s, lat_s),
                                                budget, http_levels(ns), args.concurrency, profile_path(args)))
            out['levels'].update({str(n): dict(v, room_id=room) for n, v in levels_out.items()})
    except BaseException:
        print(f'--- the last lines of the server log ({server.log}):', file=sys.stderr)
        print('\n'.join(server.log.read_text(errors='replace').splitlines()[-40:]), file=sys.stderr)
        raise
    finally:
        server.stop()
    return out


def run_baseline(data: Path, names: list[str], groups: Groups, args: argparse.Namespace,
                 sat_s: float, lat_s: float, budget: float) -> dict[str, Any]:
    server = Server(['-m', 'bench.baseline', '{port}'], '/', data / 'baseline.log')
    try:
        server.start()
        out: dict[str, Any] = {}
        for room, ns in groups:
            target = Target('baseline', server.url, [server.ps] if server.ps else [])
            levels_out = asyncio.run(run_levels(target, room, names, PASSWORD, ns, args.workers, (sat_s, lat_s),
                                                budget, http_levels(ns), args.concurrency, profile_path(args)))
            out.update({str(n): v for n, v in levels_out.items()})
        return {'levels': out}
    finally:
        server.stop()


if __name__ == '__main__':
    sys.exit(main())
