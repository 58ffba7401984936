"""The latency probe: while someone abuses the server, a well-behaved user keeps posting and times it.

`Probe` runs in its own process (so the abuse's client-side work in the test process cannot slow it):
it signs in a few accounts through the JSON API and then posts one message every `interval` seconds,
taking the accounts in turn so each stays within the default message limit (burst 10, then 1 per s).
Each sample is the round trip of `POST /api/rooms/<id>/messages` until its 201, which the server sends
only after the message is committed and published. A refusal (any status but 201) or a transport error
is recorded as a failure with what it was.

    accounts = sign_in_accounts(app.url, ['probe0', 'probe1', ...], PASSWORD)  # once: argon2 is not cheap
    with Probe(app.url, room_id, accounts) as probe:
        ...abuse...
    print(probe.result.summary('20 MB bodies'))
    assert probe.result.p99 < 250

Signing in is done once (`sign_in_accounts`), outside any measurement: a sign-in costs a 64 MiB argon2
hash, which is what row 6 of the issue is about, not what the probe measures. The probe takes the
session cookies; a session that comes back 401 is signed in again and counted in `resigned`.

Run as `python -m tests.hostile.probe URL ROOM INTERVAL MIN ACCOUNTS_JSON`: it prints `ready` when
warmed up, posts until its stdin closes (and it has at least MIN samples), then prints one JSON line
{"ms": [...], "failures": [...], "resigned": N}.
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
from typing import TypedDict

import httpx

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0


@dataclass
class ProbeResult:
    ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    resigned: int = 0

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
                f'max {max(self.ms, default=math.inf):.1f} ms, {len(self.ms)} samples, {len(self.failures)} failures'
                + (f', {self.resigned} sessions signed in again' if self.resigned else ''))


class Account(TypedDict):
    username: str
    password: str
    cookies: dict[str, str]


def sign_in_accounts(url: str, usernames: list[str], password: str) -> list[Account]:
    """Sign each account in once through the API; their cookies for `Probe`."""
    accounts: list[Account] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for name in usernames:
            client.cookies.clear()
            response = client.post('/api/session', json={'username': name, 'password': password})
            response.raise_for_status()
            accounts.append({'username': name, 'password': password, 'cookies': dict(client.cookies.items())})
    return accounts


class Probe:
    def __init__(self, url: str, room_id: int, accounts: list[Account], interval: float | None = None,
                 min_samples: int = 20) -> None:
        # each account posts at most once a second: the default limit's steady rate
        self.interval = interval if interval is not None else 1.05 / len(accounts)
        self.accounts = accounts
        self.args = [sys.executable, '-m', 'tests.hostile.probe', url, str(room_id), str(self.interval),
                     str(min_samples)]
        self.process: subprocess.Popen[str] | None = None
        self.result = ProbeResult()

    def __enter__(self) -> Probe:
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(self.accounts) + '\n')
        self.process.stdin.flush()
        line = self.process.stdout.readline().strip()
        if line != 'ready':
            self.process.kill()
            raise RuntimeError(f'the probe could not start: {line!r}')
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        assert self.process is not None
        try:
            out, _ = self.process.communicate(input='', timeout=TIMEOUT + 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        data = json.loads(out.strip().splitlines()[-1])
        self.result = ProbeResult(data['ms'], data['failures'], data['resigned'])


async def _post(client: httpx.AsyncClient, account: Account, room_id: int, body: str,
                result: ProbeResult) -> tuple[httpx.Response, float]:
    """Post once (timed); on a 401 sign in again (untimed) and post again (timed)."""
    started = time.perf_counter()
    response = await client.post(f'/api/rooms/{room_id}/messages', json={'body': body, 'client_id': uuid.uuid4().hex})
    if response.status_code == 401:
        result.resigned += 1
        await client.post('/api/session', json={'username': account['username'], 'password': account['password']})
        started = time.perf_counter()
        response = await client.post(f'/api/rooms/{room_id}/messages',
                                     json={'body': body, 'client_id': uuid.uuid4().hex})
    return response, (time.perf_counter() - started) * 1000


async def _run(url: str, room_id: int, interval: float, min_samples: int, accounts: list[Account]) -> ProbeResult:
    result = ProbeResult()
    clients = [httpx.AsyncClient(base_url=url, timeout=TIMEOUT, cookies=a['cookies']) for a in accounts]
    try:
        for n, (client, account) in enumerate(zip(clients, accounts, strict=True)):  # warm up: not measured
            response, _ = await _post(client, account, room_id, f'probe warm-up {n}', result)
            if response.status_code != 201:
                print(f'warm-up post failed: {response.status_code} {response.text}', flush=True)
                return result
        result.resigned = 0
        await asyncio.sleep(1.0)  # the warm-up used one token per account: let it refill
        print('ready', flush=True)
        stop = asyncio.ensure_future(asyncio.to_thread(sys.stdin.read))
        turn = 0
        next_at = time.perf_counter()
        while not stop.done() or len(result.ms) + len(result.failures) < min_samples:
            index = turn % len(clients)
            turn += 1
            try:
                response, ms = await _post(clients[index], accounts[index], room_id, f'probe {turn}', result)
            except httpx.HTTPError as e:
                result.failures.append(f'{type(e).__name__}')
            else:
                if response.status_code == 201:
                    result.ms.append(ms)
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
    url, room, interval, min_samples = argv
    accounts: list[Account] = json.loads(sys.stdin.readline())
    result = asyncio.run(_run(url, int(room), float(interval), int(min_samples), accounts))
    print(json.dumps({'ms': result.ms, 'failures': result.failures, 'resigned': result.resigned}), flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
