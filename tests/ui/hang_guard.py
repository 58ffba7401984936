"""A ui test that hangs fails (and its rerun takes over) instead of holding the tier until CI is killed, and
the hang that grew a CI run to 16 GiB cannot happen again.

The hang: NiceGUI keeps every background task in a global set (`background_tasks.running_tasks`) until it is
done, and its shutdown loops until that set is empty. A task of an earlier test's loop that was still pending
when that loop closed is never done; the next test's shutdown then cancels it, awaits it (ValueError: another
loop's future), logs the traceback and tries again, forever, while the log records pile up in pytest's capture
(caught in the act here: 2.7 GiB and growing, the stack in `background_tasks.teardown`). `forget_other_loops`
drops such tasks before each test: they can never run again.

pytest-timeout's signal method raises in whatever the main thread runs when the alarm comes: with the event loop
busy in some task, that task swallows the failure (asyncio stores it as the task's exception) and the test goes on
hanging; one CI run had a ui test grow to 16 GiB that way. This guard watches from a thread instead: when the test
passes its time or the process passes a memory bound, it prints every task's stack to the real stderr (what the
loop was doing) and cancels the test's own task from inside the loop. If the loop does not even run that (stuck
in C code), the process ends with the threads' stacks printed: a failed CI run that says why, not an OOM kill.
"""
from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable

from nicegui import background_tasks

TIMEOUT = 90.0  # seconds for one test: the slowest takes about 10
MAX_RSS = 4 << 30  # bytes: the tier runs at about 300 MB
STUCK = 30.0  # seconds for the loop to answer before the process is ended


def forget_other_loops(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Drop from NiceGUI's task registries the tasks of other (closed) loops; their names."""
    stale = [t for t in background_tasks.running_tasks if t.get_loop() is not loop]
    for task in stale:
        background_tasks.running_tasks.discard(task)
    for key, task in list(background_tasks.lazy_tasks_running.items()):
        if task.get_loop() is not loop:
            del background_tasks.lazy_tasks_running[key]
            stale.append(task)
    return [task.get_name() for task in stale]


def rss() -> int:
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _report(loop: asyncio.AbstractEventLoop, test: str, why: str) -> None:
    """In the loop: what every task waits in (a busy one shows where it runs), then the test's task cancelled."""
    err = sys.__stderr__
    tasks = asyncio.all_tasks(loop)
    kinds = Counter(getattr(t.get_coro(), '__qualname__', '?') for t in tasks)
    print(f'\n+++ {test}: {why}; {len(tasks)} tasks: {kinds.most_common(12)}', file=err)
    for task in list(tasks)[:40]:
        task.print_stack(limit=3, file=err)
    name = test.rsplit('::', 1)[-1].split('[', 1)[0]
    mine = [t for t in tasks if getattr(t.get_coro(), '__qualname__', '') == name]
    for task in mine or tasks:
        task.cancel(f'hang guard: {why}')
    if err is not None:
        err.flush()


class HangGuard:
    """One per test: `start` with the test's loop, `stop` when the test has finished."""

    def __init__(self, test: str, loop: asyncio.AbstractEventLoop, uncapture: Callable[[], None]) -> None:
        self.test = test
        self.loop = loop
        self.uncapture = uncapture  # pytest's capture off: what is printed before the end reaches the terminal
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, name=f'hang guard {test}', daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.done.set()

    def _watch(self) -> None:
        waited = 0.0
        while not self.done.wait(1.0):
            waited += 1.0
            size = rss()
            why = (f'still running after {TIMEOUT:.0f} s' if waited >= TIMEOUT else
                   f'the process holds {size >> 20} MiB' if size > MAX_RSS else None)
            if why is None:
                continue
            self.loop.call_soon_threadsafe(_report, self.loop, self.test, why)
            if self.done.wait(STUCK):
                return
            self.uncapture()
            print(f'\n+++ {self.test}: {why}, and the event loop does not answer: ending the process',
                  file=sys.__stderr__)
            faulthandler.dump_traceback(file=sys.__stderr__ or sys.stderr, all_threads=True)
            os._exit(3)
