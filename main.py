"""Start the chat: `python main.py [--host H] [--port P] [--data-dir DIR] [--native]`.

Each flag can also be set with an environment variable (CHAT_HOST, CHAT_PORT, CHAT_DATA_DIR,
CHAT_NATIVE); a flag given on the command line wins.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from nicegui import app, ui
from nicegui.storage import Storage

import chat_ui
from chat_ui import collector, native_notify
from chat_ui.connections import server_options
from chat_ui.native import close_window_on_shutdown, exit_with_parent
from chat_ui.transport import use_websockets_implementation
from services.bootstrap import bootstrap, ensure_data_dir
from services.config import Settings
from services.files import make_private, private_umask

log = logging.getLogger('chat')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='A real-time team chat.')
    parser.add_argument('--host', help='address to listen on (default 127.0.0.1, env CHAT_HOST)')
    parser.add_argument('--port', type=int, help='port to listen on (default 8080, env CHAT_PORT)')
    parser.add_argument('--data-dir', type=Path, help='where the database and secrets live (default ./data)')
    parser.add_argument('--native', action='store_true', default=None,
                        help='open in a desktop window instead of the browser (needs the "native" extra)')
    args, _unknown = parser.parse_known_args(argv)  # under pytest's User fixture argv holds pytest's flags
    return args


def _exit_cleanly(_signal: int, _frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port, data_dir=args.data_dir, native=args.native)
    private_umask()  # the database, its -wal/-shm, sessions and secrets: 0600, directories 0700
    secret = ensure_data_dir(settings)
    for path in make_private(settings):
        log.warning('%s was readable by others: now only by its owner', path)
    Storage.path = (settings.data_dir / 'sessions').resolve()  # signed-in sessions live with the data
    services = bootstrap(settings, secret=secret)  # the secret also signs device cookies
    collector.tune()
    chat_ui.register(services, after_start=collector.freeze_startup)
    use_websockets_implementation(settings.websocket)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again under the handler it found:
    # with this one the process then exits 0 (as gunicorn or nginx do) instead of dying of the signal
    if settings.native:
        app.native.start_args['gui'] = 'qt'  # the extra installs Qt: do not try GTK first
        close_window_on_shutdown()  # (native mode keeps uvicorn's own ending: the window's process must go too)
    else:
        signal.signal(signal.SIGTERM, _exit_cleanly)
    ui.run(
        host=settings.host,
        port=settings.port,
        title='Chat',
        storage_secret=secret,
        native=settings.native,
        reload=False,
        show=False,
        favicon='💬',
        reconnect_timeout=30.0,
        window_size=(1100, 760) if settings.native else None,
        **server_options(settings.edge, settings.limits.enabled),
    )


if __name__ == '__mp_main__':  # a process multiprocessing spawned, e.g. the native window: it ends with the server
    exit_with_parent()
    native_notify.enable()  # the window shows the page's notifications as a browser tab does
if __name__ in {'__main__', '__mp_main__'}:
    main()
