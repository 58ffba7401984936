"""Helpers shared by more than one test tier: free ports, the real app in a subprocess, services on a data dir.

Helpers of one tier stay in that tier's conftest.py (fixtures) or helpers module; what two tiers need lives here.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
from argon2 import PasswordHasher

from services.bootstrap import Services, bootstrap
from services.config import Settings

ROOT = Path(__file__).resolve().parents[1]

# Cheap argon2 for accounts made by tests; signing in verifies with the parameters stored in each hash.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def outside_pytest_environment(*prefixes: str) -> dict[str, str]:
    """This process's environment without pytest's and NiceGUI's variables (and any of `prefixes`): NiceGUI
    switches a `main.py` that sees them to its in-process test mode."""
    hidden = ('PYTEST_', 'NICEGUI_', *prefixes)
    return {k: v for k, v in os.environ.items() if not k.startswith(hidden)}


class App:
    """The real `python main.py` in its own process group on a free port, with its data in `data_dir`."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = env
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / 'app.log'

    def start(self) -> None:
        """Start and wait (up to 30 s) until `/login` answers 200."""
        env = outside_pytest_environment()
        env.update(CHAT_DATA_DIR=str(self.data_dir), CHAT_PORT=str(self.port), **self.env)
        with self.log.open('ab') as log:
            self.process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f'{self.url}/login', timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f'app did not start:\n{self.log.read_text()}')

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Signal the whole process group; SIGKILL if it has not ended within 10 s."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@contextlib.contextmanager
def running_app(data_dir: Path, **env: str) -> Iterator[App]:
    """The app started on `data_dir` (created if needed) with these CHAT_* variables; stopped afterwards,
    also when it failed to start."""
    data_dir.mkdir(parents=True, exist_ok=True)
    app = App(data_dir, **env)
    try:
        app.start()
        yield app
    finally:
        app.stop()


@contextlib.asynccontextmanager
async def services_on(data_dir: Path) -> AsyncIterator[Services]:
    """Started services on the SQLite file `main.py --data-dir data_dir` uses (environment ignored, cheap hashing),
    to prepare data before the app starts or to read what it wrote."""
    services = bootstrap(Settings.from_env(env={}, data_dir=data_dir), password_hasher=FAST_HASHER)
    await services.start()
    try:
        yield services
    finally:
        await services.close()
