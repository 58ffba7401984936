"""Real-browser tests: the real `main.py` in a subprocess, driven by Debian's headless Chromium."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


class App:
    script = 'main.py'  # what runs the app (a test may start a variant of it, e.g. with a failing store)

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = env
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / 'app.log'

    def start(self) -> None:
        # NiceGUI switches to its in-process test mode when it sees pytest's variables: hide them
        env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_'))}
        env.update(CHAT_DATA_DIR=str(self.data_dir), CHAT_PORT=str(self.port), **self.env)
        with self.log.open('ab') as log:
            self.process = subprocess.Popen([sys.executable, self.script], cwd=ROOT, env=env, stdout=log,
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
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    # rate limits stay on, with room for the bursts these tests send (tests/ui/test_limits.py tests the limits)
    server = App(tmp_path / 'data', CHAT_MESSAGE_BURST='100')
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def chromium_binary() -> str | None:
    return shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Callable[..., webdriver.Chrome]]:
    binary, driver_path = chromium_binary(), shutil.which('chromedriver')
    if not binary or not driver_path:
        pytest.fail('chromium and chromedriver are needed (apt-get install chromium chromium-driver)')
    drivers: list[webdriver.Chrome] = []

    def make(width: int = 1280, height: int = 800) -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = binary
        for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                     '--disable-background-networking', '--disable-component-update', '--disable-sync',
                     '--no-first-run', '--disable-quic', f'--window-size={width},{height}',
                     f'--user-data-dir={tmp_path / f"chrome-{len(drivers)}"}'):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(driver_path))
        driver.implicitly_wait(0)
        # headless Chromium will not make a window narrower than 500 px: emulate the phone's viewport
        driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                               {'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': width < 600})
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()
