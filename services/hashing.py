"""Bounded password hashing: each argon2 hash takes 64 MiB and several cores for a fraction of a second.

At most `slots` hashes run at once and at most `queue` more wait for a slot; beyond that the caller
gets ServerBusy at once instead of queueing memory and latency for everyone. argon2-cffi's default
hash runs 4 threads (parallelism 4), so the default is one hash per 4 cores, at least one: more at
once would only take the cores from the event loop. The hashes run on their own threads at a lower
scheduling priority (Linux: nice is per thread and argon2's own threads inherit it), so the event
loop, which serves everyone else, comes first when the cores are contended.
Per process on purpose: the resource it protects (this process's memory and cores) is local.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .errors import ServerBusy

T = TypeVar('T')
BUSY = 'The server is busy, try again in a moment.'
NICE = 10


def default_slots(parallelism: int) -> int:
    """Hashes at once that keep the cores busy without oversubscribing them."""
    return max(1, (os.cpu_count() or 1) // max(1, parallelism))


def _lower_priority() -> None:
    if hasattr(os, 'setpriority'):
        with contextlib.suppress(OSError):  # not Linux (per-process there), or not permitted: run as is
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


class HashGate:
    def __init__(self, slots: int | None = None, queue: int | None = None) -> None:
        self.slots = slots if slots else default_slots(4)
        self.queue = queue if queue is not None else 8 * self.slots
        if self.slots < 1 or self.queue < 0:
            raise ValueError('slots must be at least 1 and queue at least 0')
        self._admitted = 0  # running + waiting
        self._executor = ThreadPoolExecutor(self.slots, thread_name_prefix='argon2', initializer=_lower_priority)

    @property
    def admitted(self) -> int:
        return self._admitted

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """Run `func(*args)` on a hashing thread once one is free; ServerBusy if the queue is full."""
        if self._admitted >= self.slots + self.queue:
            raise ServerBusy(BUSY, 1.0)
        self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)
        finally:
            self._admitted -= 1

    def close(self) -> None:
        """Let the hashing threads go (a hash under way finishes; waiting ones are dropped)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
