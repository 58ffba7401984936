"""The desktop window lives and dies with its server.

NiceGUI opens the native window in a daemonic child process (multiprocessing's spawn) and stops the
server when that process ends (closing the window stops the app). The other direction is missing:
uvicorn handles SIGTERM, runs the shutdown handlers and then re-raises the signal with its default
action, so the process dies before multiprocessing's atexit hook could terminate its daemonic children,
and the window stayed open for good ("Connection lost"). Two safeguards, one per process:

- the server terminates its daemonic children (the window) when it shuts down;
- the window's process exits as soon as its parent is gone, however the server ended (even SIGKILL).
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time

from nicegui import app


def close_window_on_shutdown() -> None:
    """In the server's process: stopping the app (SIGTERM, Ctrl+C) closes its window. Call before `ui.run`."""
    app.on_shutdown(_terminate_window)


def _terminate_window() -> None:
    # Not awaited: NiceGUI's watcher thread sees the window gone and finishes the exit itself.
    for child in multiprocessing.active_children():
        if child.daemon:  # NiceGUI's window process; process pools (run.cpu_bound) are not daemonic
            child.terminate()


def exit_with_parent() -> None:
    """In a process multiprocessing spawned from main.py (the window): exit when the server's process ends."""
    def watch() -> None:
        # main.py is imported (as __mp_main__) before multiprocessing records the parent: wait for that first
        first_parent = os.getppid()
        while (parent := multiprocessing.parent_process()) is None:
            if os.getppid() != first_parent:
                os._exit(0)
            time.sleep(0.05)
        parent.join()  # waits on the parent's sentinel pipe: returns when the parent has exited
        os._exit(0)

    threading.Thread(target=watch, name='exit with the server', daemon=True).start()
