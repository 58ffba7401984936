"""Native-mode smoke test: `python main.py --native` opens the login page in a Qt WebEngine window.

Runs OUTSIDE NiceGUI's in-process test mode: the real `main.py` in its own process group, with pytest's and
NiceGUI's variables stripped from its environment, on a private Xvfb display that this test starts and stops.

Needs: the `native` extra (pywebview[qt], PyQt6-WebEngine), Debian's xvfb, x11-utils (xwininfo), imagemagick
(import) and the Qt xcb libraries (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxkbcommon-x11-0, libnss3,
libasound2). Skipped only when pywebview or PyQt6's WebEngine cannot be imported.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest
from PIL import Image

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREEN = (1280, 900)
WINDOW_TITLES = ('Sign in · Chat', 'Chat')


def _native_missing() -> str | None:
    try:
        import webview  # noqa: F401
        from PyQt6 import QtWebEngineWidgets  # noqa: F401
    except Exception as exc:  # ImportError, or a Qt library that cannot be loaded
        return f'native extra not installed (pip install ".[native]"): {exc!r}'
    return None


_MISSING = _native_missing()
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or '')


def wait_for(what: str, check, timeout: float, interval: float = 0.2, log: Path | None = None):  # type: ignore[no-untyped-def]
    """Poll `check()` until it returns something truthy; fail with `what` (and the app log) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            tail = log.read_text(errors='replace')[-4000:] if log and log.exists() else ''
            pytest.fail(f'timed out after {timeout:.0f} s waiting for {what}\n--- app log ---\n{tail}')
        time.sleep(interval)


@dataclass
class Xvfb:
    process: subprocess.Popen[bytes]
    display: str


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[Xvfb]:
    binary = shutil.which('Xvfb')
    if binary is None:
        pytest.fail('Xvfb is needed (apt-get install xvfb)')
    read_fd, write_fd = os.pipe()
    # -displayfd: Xvfb picks a free display number itself and writes it to the pipe once it accepts clients
    with (tmp_path / 'xvfb.log').open('wb') as xvfb_log:
        process = subprocess.Popen(
            [binary, '-displayfd', str(write_fd), '-screen', '0', f'{SCREEN[0]}x{SCREEN[1]}x24', '-nolisten', 'tcp'],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=xvfb_log, start_new_session=True,
        )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, 'rb') as pipe:
            number = pipe.readline().strip().decode()  # blocks until ready; b'' if Xvfb died
        if not number.isdigit():
            pytest.fail(f'Xvfb did not start: {(tmp_path / "xvfb.log").read_text(errors="replace")}')
        yield Xvfb(process, f':{number}')
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@dataclass
class NativeApp:
    process: subprocess.Popen[bytes]
    port: int
    debug_port: int
    log: Path
    seen: set[int] = field(default_factory=set)  # every pid ever observed in the app's process tree

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def tree(self) -> list[psutil.Process]:
        try:
            procs = [psutil.Process(self.process.pid)]
            procs += procs[0].children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen.update(p.pid for p in procs)
        return procs

    def group(self) -> list[psutil.Process]:
        """Live processes of the app's process group, plus any descendant seen earlier that is still alive."""
        alive = []
        for proc in psutil.process_iter():
            try:
                if proc.status() == psutil.STATUS_ZOMBIE:
                    continue
                if os.getpgid(proc.pid) == self.process.pid or proc.pid in self.seen:
                    alive.append(proc)
            except (psutil.NoSuchProcess, ProcessLookupError):
                continue
        return alive


def x_windows(display: str) -> list[tuple[str, int, int, int, int]]:
    """(name, width, height, x, y) of every named X window, from `xwininfo -root -tree`."""
    out = subprocess.run(['xwininfo', '-root', '-tree'], env={**os.environ, 'DISPLAY': display},
                         capture_output=True, text=True, timeout=10).stdout
    windows = []
    for m in re.finditer(r'^\s*0x[0-9a-f]+ "(.*)":.*?\s(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$', out, re.M):
        windows.append((m[1], int(m[2]), int(m[3]), int(m[4]), int(m[5])))
    return windows


def evaluate_in_window(debug_port: int, app_url: str, expression: str) -> object:
    """Evaluate `expression` in the window's page through Qt WebEngine's DevTools endpoint; None if not there yet."""
    try:
        pages = httpx.get(f'http://127.0.0.1:{debug_port}/json/list', timeout=2).json()
    except (httpx.HTTPError, ValueError):
        return None
    page = next((p for p in pages if p.get('type') == 'page' and p.get('url', '').startswith(app_url)), None)
    if page is None:
        return None

    async def run() -> object:
        import aiohttp
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(page['webSocketDebuggerUrl']) as ws:
                await ws.send_json({'id': 1, 'method': 'Runtime.evaluate',
                                    'params': {'expression': expression, 'returnByValue': True}})
                async for msg in ws:
                    data = json.loads(msg.data)
                    if data.get('id') == 1:
                        return data.get('result', {}).get('result', {}).get('value')
        return None

    try:
        return asyncio.run(asyncio.wait_for(run(), 10))
    except Exception:
        return None


@pytest.fixture
def native_app(tmp_path: Path, xvfb: Xvfb) -> Iterator[NativeApp]:
    data_dir = tmp_path / 'data'
    data_dir.mkdir()
    port, debug_port = free_port(), free_port()
    # NiceGUI switches native mode off when it sees pytest's (or its own) variables: hide them
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTEST_', 'NICEGUI_', 'CHAT_'))}
    env.update(
        DISPLAY=xvfb.display,
        CHAT_DATA_DIR=str(data_dir),
        QTWEBENGINE_CHROMIUM_FLAGS='--no-sandbox --disable-gpu',  # root needs --no-sandbox; Xvfb has no GPU
        QTWEBENGINE_REMOTE_DEBUGGING=f'127.0.0.1:{debug_port}',  # lets the test look inside the window's page
        PYWEBVIEW_GUI='qt',  # what the `native` extra installs; skips pywebview's GTK attempt and its traceback
        QT_QPA_PLATFORM='xcb',
    )
    log = tmp_path / 'app.log'
    with log.open('wb') as out:
        process = subprocess.Popen(
            [sys.executable, 'main.py', '--native', '--data-dir', str(data_dir), '--port', str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    app = NativeApp(process, port, debug_port, log)
    try:
        yield app
    finally:
        if process.poll() is None or app.group():
            with_suppress_killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def with_suppress_killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def test_native_window_shows_login_page(native_app: NativeApp, xvfb: Xvfb, tmp_path: Path) -> None:
    started = time.monotonic()
    app = native_app

    # (a) the HTTP server answers
    def login_ok() -> bool:
        assert app.process.poll() is None, f'main.py --native exited with {app.process.returncode}:\n' \
                                           f'{app.log.read_text(errors="replace")}'
        try:
            return httpx.get(f'{app.url}/login', timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
    wait_for('GET /login == 200', login_ok, 30, log=app.log)

    # (b) the window process started Qt WebEngine, and an X window with the app's title exists
    def webengine() -> list[psutil.Process]:
        found = []
        for proc in app.tree():
            try:
                if 'QtWebEngineProcess' in ' '.join(proc.cmdline()[:1]) or proc.name().startswith('QtWebEngine'):
                    found.append(proc)
            except psutil.NoSuchProcess:
                continue
        return found
    wait_for('a QtWebEngineProcess in the app process tree', webengine, 30, log=app.log)

    def window() -> tuple[str, int, int, int, int] | None:
        return next((w for w in x_windows(xvfb.display) if w[0] in WINDOW_TITLES and w[1] > 100 and w[2] > 100),
                    None)
    title, width, height, x, y = wait_for(f'an X window titled one of {WINDOW_TITLES}', window, 30, log=app.log)

    # (c1) the page inside the window loaded and made its Socket.IO handshake with the server
    probe = ('JSON.stringify({path: location.pathname, title: document.title, '
             'handshake: window.did_handshake === true, connected: !!(window.socket && window.socket.connected), '
             'inputs: document.querySelectorAll("input").length, '
             'text: document.body ? document.body.innerText : ""})')

    def page_ready() -> dict[str, object] | None:
        raw = evaluate_in_window(app.debug_port, app.url, probe)
        state = json.loads(raw) if isinstance(raw, str) else None
        return state if state and state['handshake'] and state['connected'] and state['inputs'] >= 2 else None
    state = wait_for('the window page to connect over Socket.IO', page_ready, 30, interval=0.5, log=app.log)
    assert state['path'] == '/login', state
    assert 'Chat' in str(state['title']), state
    assert 'SIGN IN' in str(state['text']).upper(), state

    # (c2) the window shows it: screenshot the display, the window area is far from one flat colour
    shot = tmp_path / 'native-window.png'
    env = {**os.environ, 'DISPLAY': xvfb.display}

    def rendered() -> int:
        subprocess.run(['import', '-window', 'root', str(shot)], env=env, check=True, timeout=20,
                       capture_output=True)
        with Image.open(shot) as image:
            area = image.convert('RGB').crop((max(x, 0), max(y, 0), min(x + width, SCREEN[0]),
                                              min(y + height, SCREEN[1])))
            colours = area.getcolors(maxcolors=1 << 20) or []
        return len(colours) if len(colours) >= 50 else 0
    colours = wait_for('the window to render the login form (>= 50 colours)', rendered, 20, interval=0.5,
                       log=app.log)
    print(f'window {title!r} {width}x{height}+{x}+{y}: {colours} colours; screenshot {shot}')

    # (d) SIGTERM to the whole group; SIGKILL whatever is left after a timeout; nothing of it may survive
    app.tree()
    assert len(app.seen) >= 3, f'expected server, window and WebEngine processes, saw {sorted(app.seen)}'
    os.killpg(app.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while app.group() and time.monotonic() < deadline:
        time.sleep(0.2)
    left_after_term = [(p.pid, p.name()) for p in app.group() if p.is_running()]
    if left_after_term:
        with_suppress_killpg(app.process.pid, signal.SIGKILL)
        for proc in app.group():
            proc.kill()
        time.sleep(1)
    app.process.wait(5)
    survivors = app.group()
    assert not survivors, f'processes survived SIGKILL: {[(p.pid, p.name()) for p in survivors]}'
    if left_after_term:
        print(f'SIGTERM was not enough, needed SIGKILL for: {left_after_term}')

    xvfb.process.terminate()
    xvfb.process.wait(5)
    assert not psutil.pid_exists(xvfb.process.pid) or \
        psutil.Process(xvfb.process.pid).status() == psutil.STATUS_ZOMBIE, 'Xvfb still running'
    assert time.monotonic() - started < 60
