"""Native-mode smoke test: `python main.py --native` opens the login page in a Qt WebEngine window, and the window
and the server end together: SIGTERM (or even SIGKILL) to the server closes the window, and closing the window
(WM_DELETE_WINDOW, what a window manager sends for its close button) stops the server.

Runs OUTSIDE NiceGUI's in-process test mode: the real `main.py` in its own process group, with pytest's and
NiceGUI's variables stripped from its environment, on a private Xvfb display that this test starts and stops.

Needs: the `native` extra (pywebview[qt], PyQt6-WebEngine), Debian's xvfb, x11-utils (xwininfo), imagemagick
(import) and the Qt xcb libraries (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxkbcommon-x11-0, libnss3,
libasound2). Skipped only when pywebview or PyQt6's WebEngine cannot be imported.
"""
from __future__ import annotations

import ctypes
import ctypes.util
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

from .in_window import a_message_is_sent_and_shown, evaluate_in_window, notification_is_presented, wait_for

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


def wait_until_shown(app: NativeApp, xvfb: Xvfb) -> tuple[str, int, int, int, int]:
    """Wait for the server, the window's Qt WebEngine and an X window with the app's title; return the window."""
    def login_ok() -> bool:
        assert app.process.poll() is None, f'main.py --native exited with {app.process.returncode}:\n' \
                                           f'{app.log.read_text(errors="replace")}'
        try:
            return httpx.get(f'{app.url}/login', timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
    wait_for('GET /login == 200', login_ok, 30, log=app.log)

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
    found: tuple[str, int, int, int, int] = wait_for(f'an X window titled one of {WINDOW_TITLES}', window, 30,
                                                     log=app.log)
    return found


def window_processes(app: NativeApp) -> list[str]:
    """What runs beside the server: the window's spawn child, multiprocessing's resource tracker, Qt WebEngine."""
    app.tree()
    names = []
    for pid in sorted(app.seen - {app.process.pid}):
        try:
            names.append(' '.join(psutil.Process(pid).cmdline())[:120])
        except psutil.NoSuchProcess:
            continue
    return names


def assert_all_gone(app: NativeApp, what: str) -> None:
    """Every process of the app is gone within a few seconds of `what`; SIGKILL is the fixture's fallback only."""
    def gone() -> bool:
        return not app.group()
    deadline = time.monotonic() + 10
    while app.group() and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [(p.pid, ' '.join(p.cmdline())[:120]) for p in app.group() if p.is_running()]
    assert not left, f'still running 10 s after {what}: {left}'
    assert gone()


def test_native_window_shows_login_page(native_app: NativeApp, xvfb: Xvfb, tmp_path: Path) -> None:
    started = time.monotonic()
    app = native_app

    # (a) the HTTP server answers, (b) the window process started Qt WebEngine and shows an X window
    title, width, height, x, y = wait_until_shown(app, xvfb)

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

    # (c3) notifications and (c4) the chat itself, inside the window (in_window.py)
    notification_is_presented(app.debug_port, app.url, app.log)
    a_message_is_sent_and_shown(app.debug_port, app.url, app.log)

    # (d) SIGTERM to the server's process alone (as a service manager or `kill` sends it): the window's process,
    # multiprocessing's resource tracker and Qt WebEngine go with it
    beside = window_processes(app)
    assert any('spawn_main' in p for p in beside), beside
    assert any('resource_tracker' in p for p in beside), beside
    os.kill(app.process.pid, signal.SIGTERM)
    app.process.wait(15)
    assert_all_gone(app, 'SIGTERM to the server')
    wait_for('the window to leave the display', lambda: not [w for w in x_windows(xvfb.display)
                                                             if w[0] in WINDOW_TITLES], 10, log=app.log)

    xvfb.process.terminate()
    xvfb.process.wait(5)
    assert not psutil.pid_exists(xvfb.process.pid) or \
        psutil.Process(xvfb.process.pid).status() == psutil.STATUS_ZOMBIE, 'Xvfb still running'
    assert time.monotonic() - started < 60


def test_closing_the_window_stops_the_server(native_app: NativeApp, xvfb: Xvfb) -> None:
    app = native_app
    wait_until_shown(app, xvfb)
    ids = window_ids(xvfb.display, WINDOW_TITLES)
    assert ids, x_windows(xvfb.display)
    for window_id in ids:  # what a window manager sends when the person clicks the close button
        close_x_window(xvfb.display, window_id)
    app.process.wait(15)
    assert_all_gone(app, 'closing the window')


def test_the_window_closes_even_when_the_server_is_killed(native_app: NativeApp, xvfb: Xvfb) -> None:
    app = native_app
    wait_until_shown(app, xvfb)
    window_processes(app)
    os.kill(app.process.pid, signal.SIGKILL)  # no shutdown handler runs: the window's process notices by itself
    app.process.wait(5)
    assert_all_gone(app, 'SIGKILL to the server')


def window_ids(display: str, titles: tuple[str, ...]) -> list[int]:
    out = subprocess.run(['xwininfo', '-root', '-tree'], env={**os.environ, 'DISPLAY': display},
                         capture_output=True, text=True, timeout=10).stdout
    return [int(m[1], 16) for m in re.finditer(r'^\s*(0x[0-9a-f]+) "(.*?)":', out, re.M) if m[2] in titles]


class _ClientMessage(ctypes.Structure):
    _fields_ = [('type', ctypes.c_int), ('serial', ctypes.c_ulong), ('send_event', ctypes.c_int),
                ('display', ctypes.c_void_p), ('window', ctypes.c_ulong), ('message_type', ctypes.c_ulong),
                ('format', ctypes.c_int), ('data', ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [('xclient', _ClientMessage), ('pad', ctypes.c_long * 24)]


def close_x_window(display: str, window_id: int) -> None:
    """Send WM_DELETE_WINDOW to a window, as a window manager does for its close button (Xvfb runs none)."""
    path = ctypes.util.find_library('X11')
    if path is None:
        pytest.fail('libX11 is needed to close the window as a window manager would')
    x11 = ctypes.CDLL(path)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                               ctypes.POINTER(_XEvent)]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f'cannot open display {display}'
    try:
        event = _XEvent()
        event.xclient.type = 33  # ClientMessage
        event.xclient.window = window_id
        event.xclient.message_type = x11.XInternAtom(dpy, b'WM_PROTOCOLS', 0)
        event.xclient.format = 32
        event.xclient.data[0] = x11.XInternAtom(dpy, b'WM_DELETE_WINDOW', 0)
        event.xclient.data[1] = 0  # CurrentTime
        x11.XSendEvent(dpy, window_id, 0, 0, ctypes.byref(event))
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)
