"""The latency probe: while someone abuses the server, a well-behaved user keeps posting and times it.

`Probe` runs in its own process (so the abuse's client-side work in the test process cannot slow it):
it signs in a few accounts through the JSON API and then posts one message every `interval` seconds,
taking the accounts in turn so each stays within the default message limit (burst 10, then 1 per s).
Each sample is the round trip of `POST /api/rooms/<id>/messages` until its 201, which the server sends
only after the message is committed and published. A refusal (any status but 201) or a transport error
is recorded as a failure with what it was.

    with Probe(app.url, room_id, ['probe0', 'probe1', ...], PASSWORD) as probe:
        ...abuse...
    print(probe.result.summary('20 MB bodies'))
    assert probe.result.p99 < 250

Run as `python -m tests.hostile.probe URL ROOM INTERVAL MIN PASSWORD USER...`: it prints `ready` once signed
in, posts until its stdin closes (and it has at least MIN samples), then prints one JSON line
{"ms": [...], "failures": [...]}.
"""
from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0


@dataclass
class ProbeResult:
    ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        if not self.ms:
            return math.inf
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    def summary(self, abuse: str) -> str:
        return (f'probe during {abuse}: p50 {self.percentile(0.5):.1f} ms, p99 {self.p99:.1f} ms, '
                f'max {max(self.ms, default=math.inf):.1f} ms, {len(self.ms)} samples, {len(self.failures)} failures')


class Probe:
    def __init__(self, url: str, room_id: int, users: list[str], password: str, interval: float | None = None,
                 min_samples: int = 20) -> None:
        # each account posts at most once a second: the default limit's steady rate
        self.interval = interval if interval is not None else 1.05 / len(users)
        self.args = [sys.executable, '-m', 'tests.hostile.probe', url, str(room_id), str(self.interval),
                     str(min_samples), password, *users]
        self.process: subprocess.Popen[str] | None = None
        self.result = ProbeResult()

    def __enter__(self) -> Probe:
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != 'ready':
            self.process.kill()
            raise RuntimeError(f'the probe could not start: {line!r}')
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        assert self.process is not None
        try:
            out, _ = self.process.communicate(input='', timeout=TIMEOUT + 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        data = json.loads(out.strip().splitlines()[-1])
        self.result = ProbeResult(data['ms'], data['failures'])


async def _run(url: str, room_id: int, interval: float, min_samples: int, password: str,
               users: list[str]) -> ProbeResult:
    result = ProbeResult()
    clients = [httpx.AsyncClient(base_url=url, timeout=TIMEOUT) for _ in users]
    try:
        for client, user in zip(clients, users, strict=True):
            response = await client.post('/api/session', json={'username': user, 'password': password})
            if response.status_code != 204:
                print(f'sign-in of {user} failed: {response.status_code} {response.text}', flush=True)
                return result
        for n, client in enumerate(clients):  # warm up (sessions loaded, connections open): not measured
            response = await client.post(f'/api/rooms/{room_id}/messages',
                                         json={'body': f'probe warm-up {n}', 'client_id': uuid.uuid4().hex})
            if response.status_code != 201:
                print(f'warm-up post failed: {response.status_code} {response.text}', flush=True)
                return result
        await asyncio.sleep(1.0)  # the warm-up used one token per account: let it refill
        print('ready', flush=True)
        stop = asyncio.ensure_future(asyncio.to_thread(sys.stdin.read))
        turn = 0
        next_at = time.perf_counter()
        while not stop.done() or len(result.ms) + len(result.failures) < min_samples:
            client = clients[turn % len(clients)]
            turn += 1
            started = time.perf_counter()
            try:
                response = await client.post(f'/api/rooms/{room_id}/messages',
                                             json={'body': f'probe {turn}', 'client_id': uuid.uuid4().hex})
            except httpx.HTTPError as e:
                result.failures.append(f'{type(e).__name__}')
            else:
                if response.status_code == 201:
                    result.ms.append((time.perf_counter() - started) * 1000)
                else:
                    result.failures.append(f'{response.status_code} {response.text[:100]}')
            next_at = max(next_at + interval, time.perf_counter())
            delay = max(0.0, next_at - time.perf_counter())
            if stop.done():
                await asyncio.sleep(delay)  # stopping once it has enough samples: keep the pace (and the limit)
            else:
                await asyncio.wait([stop], timeout=delay)
        return result
    finally:
        for client in clients:
            await client.aclose()


def main(argv: list[str]) -> None:
    url, room, interval, min_samples, password, *users = argv
    result = asyncio.run(_run(url, int(room), float(interval), int(min_samples), password, users))
    print(json.dumps({'ms': result.ms, 'failures': result.failures}), flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
