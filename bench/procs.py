"""Server processes: start in their own process group, wait until ready, always kill the whole group."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]



# What a load test turns off: the per-user and per-address limits, and the hash gate's "busy" answer (hundreds
# of simulated tabs sign in at once; they wait for a hash slot instead of being refused)
LOAD_TEST_ENV = {'CHAT_RATE_LIMITS': 'off', 'CHAT_HASH_QUEUE': '100000'}

def free_port() -> int:
    # tests/support.py has the same four lines: the benchmark is a tool of its own and does not import the tests
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, args: list[str], ready_path: str, log: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.args = [a.replace('{port}', str(self.port)) for a in args]
        self.ready_path = ready_path
        self.log = log
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_'))}
        self.env.update(env or {}, CHAT_PORT=str(self.port))
        self.process: subprocess.Popen[bytes] | None = None
        self.ps: psutil.Process | None = None

    def start(self, timeout: float = 60) -> float:
        """Start and return seconds until the first 200 on the ready path."""
        with self.log.open('ab') as log:
            began = time.perf_counter()
            self.process = subprocess.Popen([sys.executable, *self.args], cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.ps = psutil.Process(self.process.pid)
        deadline = began + timeout
        while time.perf_counter() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - began
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f'server did not start: {self.args}\n{self.log.read_text()[-3000:]}')

    def rss(self) -> int:
        assert self.ps is not None
        return int(self.ps.memory_info().rss)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
