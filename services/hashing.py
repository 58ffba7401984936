"""Bounded password hashing: each argon2 hash takes 64 MiB and a core for a fraction of a second.

At most `slots` hashes run at once and at most `queue` more wait for a slot; beyond that the caller
gets ServerBusy at once instead of queueing memory and latency for everyone. argon2-cffi's default
hash runs 4 threads (parallelism 4), so the default is one hash per 4 cores, at least one: more at
once would only take the cores from the event loop. Per process on purpose: the resource it protects
(this process's memory and cores) is local.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import TypeVar

from .errors import ServerBusy

T = TypeVar('T')
BUSY = 'The server is busy, try again in a moment.'


def default_slots(parallelism: int) -> int:
    """Hashes at once that keep the cores busy without oversubscribing them."""
    return max(1, (os.cpu_count() or 1) // max(1, parallelism))


class HashGate:
    def __init__(self, slots: int | None = None, queue: int | None = None) -> None:
        self.slots = slots if slots else default_slots(4)
        self.queue = queue if queue is not None else 8 * self.slots
        if self.slots < 1 or self.queue < 0:
            raise ValueError('slots must be at least 1 and queue at least 0')
        self._running = asyncio.Semaphore(self.slots)
        self._admitted = 0  # running + waiting

    @property
    def admitted(self) -> int:
        return self._admitted

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """Run `func(*args)` in a worker thread once a slot is free; ServerBusy if the queue is full."""
        if self._admitted >= self.slots + self.queue:
            raise ServerBusy(BUSY, 1.0)
        self._admitted += 1
        try:
            async with self._running:
                return await asyncio.to_thread(func, *args)
        finally:
            self._admitted -= 1
