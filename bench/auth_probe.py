"""Sign-in under abuse, against a real `main.py` on loopback (issue 8 rows 3 and 6).

    python -m bench.auth_probe            # default limits
    python -m bench.auth_probe --limits-off  # CHAT_RATE_LIMITS=off: only the bounded hashing protects

1. 60 concurrent wrong passwords for one username from one address: how many got a verdict (401).
2. 100 correct sign-ins for one user at once, then 100 for 100 users at once: the server's RSS
   before, at its peak and after, and a second user's message latency (POST every 50 ms) meanwhile.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from services.bootstrap import bootstrap, ensure_data_dir
from services.config import Settings

from .procs import Server

PASSWORD = 'probe-password'


async def _seed(data_dir: Path, names: list[str]) -> None:
    settings = Settings.from_env(data_dir=data_dir)
    ensure_data_dir(settings)
    services = bootstrap(settings)  # the default argon2 parameters: 64 MiB per hash, as in production
    await services.start()
    try:
        for name in names:
            await services.accounts.sign_up(name, PASSWORD)
    finally:
        await services.close()


async def _sign_in(url: str, name: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        response = await client.post('/api/session', json={'username': name, 'password': password})
        return response.status_code


class Probe:
    """Bob posts a message every 50 ms and records each round trip."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.latencies: list[float] = []
        self.started: list[float] = []
        self.statuses: Counter[int] = Counter()
        self._stop = asyncio.Event()

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
            signed_in = await client.post('/api/session', json={'username': 'bob', 'password': PASSWORD})
            assert signed_in.status_code == 204
            i = 0
            while not self._stop.is_set():
                began = time.perf_counter()
                self.started.append(began)
                response = await client.post('/api/rooms/1/messages', json={'body': f'probe {i}', 'client_id': f'p{i}'})
                self.latencies.append(time.perf_counter() - began)
                self.statuses[response.status_code] += 1
                i += 1
                await asyncio.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()

    def summary(self) -> str:
        if not self.latencies:
            return 'no samples'
        ms = sorted(x * 1000 for x in self.latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        return (f'{len(ms)} posts, p50 {statistics.median(ms):.0f} ms, p99 {p99:.0f} ms, max {ms[-1]:.0f} ms, '
                f'statuses {dict(self.statuses)}')


def _watch_peak(server: Server, stop: threading.Event, peak: list[int]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.rss())
        time.sleep(0.02)


async def _burst(server: Server, label: str, calls: list[tuple[str, str]]) -> None:
    probe = Probe(server.url)
    probing = asyncio.create_task(probe.run())
    await asyncio.sleep(1.0)
    before = server.rss()
    stop, peak = threading.Event(), [before]
    watcher = threading.Thread(target=_watch_peak, args=(server, stop, peak), daemon=True)
    watcher.start()
    began = time.perf_counter()
    statuses = Counter(await asyncio.gather(*(_sign_in(server.url, n, p) for n, p in calls)))
    took = time.perf_counter() - began
    worst = max(range(len(probe.latencies)), key=probe.latencies.__getitem__)
    print(f'  (slowest post of bob began {probe.started[worst] - began:+.2f} s after the burst began)')
    await asyncio.sleep(1.0)
    stop.set()
    watcher.join()
    after = server.rss()
    probe.stop()
    await probing
    mib = 1024 * 1024
    print(f'{label}: {dict(statuses)} in {took:.1f} s; RSS {before / mib:.0f} -> peak {peak[0] / mib:.0f} -> '
          f'{after / mib:.0f} MiB; bob meanwhile: {probe.summary()}')


async def main(limits_off: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / 'data'
        users = [f'user{i:03}' for i in range(100)]
        await _seed(data, ['alice', 'bob', *users])
        env = {'CHAT_DATA_DIR': str(data), 'CHAT_MESSAGE_BURST': '100000', 'CHAT_MESSAGE_EVERY': '0.001'}
        if limits_off:
            env['CHAT_RATE_LIMITS'] = 'off'
        for scenario in ('guesses', 'one user', 'many users'):
            server = Server(['main.py'], '/login', Path(tmp) / 'server.log', env)
            server.start()
            try:
                if scenario == 'guesses':
                    statuses = Counter(await asyncio.gather(
                        *(_sign_in(server.url, 'alice', f'wrong-{i:03}') for i in range(60))))
                    print(f'60 concurrent wrong passwords for alice from one address: {dict(statuses)} '
                          f'({statuses[401]} got a verdict)')
                elif scenario == 'one user':
                    await _burst(server, '100 correct sign-ins of alice at once', [('alice', PASSWORD)] * 100)
                else:
                    await _burst(server, '100 correct sign-ins of 100 users at once', [(u, PASSWORD) for u in users])
            finally:
                server.stop()
        sessions = data / 'sessions'
        files = sorted(p.name for p in sessions.glob('*')) if sessions.exists() else []
        print(f'files in data/sessions afterwards: {len(files)} {files[:2]}')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--limits-off', action='store_true', help='CHAT_RATE_LIMITS=off')
    asyncio.run(main(parser.parse_args().limits_off))
