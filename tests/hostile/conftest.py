"""The hostile-input tier: the real `main.py` on loopback with its default limits, abused while a probe measures.

Abusers connect from other loopback addresses (127.0.0.2 and up: Linux routes all of 127/8 to `lo`), as
a hostile client on another machine would; the probe's well-behaved users connect from 127.0.0.1.
Accounts are seeded into the database before the server starts (cheap argon2 parameters, so seeding
takes no time; the server verifies each hash with the parameters stored in it).

The probe signs in again on a 401 and says how often (an API session lost mid-run would show there);
abusers sign in right before they abuse.

Each test prints what it measured (run with `-s` to see it); the p99 lines are collected into
`hostile-report.txt` in pytest's temporary directory as well.
"""
from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
from argon2 import PasswordHasher

from services.bootstrap import bootstrap
from services.config import Settings
from tests.browser.conftest import App
from tests.hostile.probe import Account, Probe, ProbeResult, sign_in_accounts

PASSWORD = 'correct horse battery'
PROBES = [f'probe{i}' for i in range(20)]  # 19 samples a second, each account within its limit
ABUSERS = ['mallory', 'trudy']
P99_MS = 250.0  # the bound for a well-behaved user's message round trip during any abuse


async def seed(data_dir: Path) -> int:
    services = bootstrap(Settings.from_env(env={}, data_dir=data_dir),
                         password_hasher=PasswordHasher(time_cost=1, memory_cost=8192))
    await services.start()
    try:
        for name in PROBES + ABUSERS:
            await services.accounts.sign_up(name, PASSWORD)
        room = await services.store.get_room_by_name('general')
        assert room is not None
        return room.id
    finally:
        await services.close()


@dataclass
class Hostile:
    app: App
    room_id: int
    accounts: list[Account] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.app.url

    def probe(self) -> Probe:
        if not self.accounts:
            self.accounts = sign_in_accounts(self.url, PROBES, PASSWORD)
        return Probe(self.url, self.room_id, self.accounts, min_samples=100)

    def client(self, address: str = '127.0.0.2', **kwargs: object) -> httpx.AsyncClient:
        """An HTTP client connecting from `address` (an abuser's machine)."""
        transport = httpx.AsyncHTTPTransport(local_address=address)
        return httpx.AsyncClient(base_url=self.url, transport=transport, timeout=30, **kwargs)  # type: ignore[arg-type]

    async def signed_in(self, name: str, address: str = '127.0.0.2') -> httpx.AsyncClient:
        client = self.client(address)
        response = await client.post('/api/session', json={'username': name, 'password': PASSWORD})
        assert response.status_code == 204, response.text
        return client

    def rss_mib(self) -> float:
        assert self.app.process is not None
        return float(psutil.Process(self.app.process.pid).memory_info().rss) / 2**20

    def tracebacks(self) -> list[str]:
        text = self.app.log.read_text(errors='replace')
        return [block[:2000] for block in re.split(r'\n(?=\S)', text) if 'Traceback' in block]


def start_app(data_dir: Path, **env: str) -> Hostile:
    data_dir.mkdir(parents=True)
    room_id = asyncio.run(seed(data_dir))
    server = App(data_dir, **env)
    server.start()
    return Hostile(server, room_id)


@pytest.fixture(scope='session')
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    """One server for the tier (default limits), each abuse from its own addresses; stopped (SIGTERM) afterwards.

    One exception: successful sign-ins per user (5, then one per 30 s) would stop the tests that open many
    sessions of one user; tests/hostile/test_signin.py abuses sign-in on a server of its own with every default.
    """
    h = start_app(tmp_path_factory.mktemp('hostile') / 'data', CHAT_SIGNIN_OK_BURST='100')
    yield h
    h.app.stop()


@pytest.fixture(scope='session')
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    lines: list[str] = []
    yield lines
    if lines:
        path = Path(os.environ.get('HOSTILE_REPORT', tmp_path_factory.getbasetemp() / 'hostile-report.txt'))
        path.write_text('\n'.join(lines) + '\n')
        print('\n' + '\n'.join(lines) + f'\n(report: {path})')


def record(report: list[str], abuse: str, result: ProbeResult) -> None:
    line = result.summary(abuse)
    print(line)
    report.append(line)
    assert not result.failures, result.failures[:5]
    assert len(result.ms) >= 100, line  # p99 is then not just the slowest sample
    assert result.p99 < P99_MS, line
