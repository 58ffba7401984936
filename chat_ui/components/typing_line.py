"""The "alice is typing…" line. Entries expire by themselves (a timer of the event loop, not an element)."""
from __future__ import annotations

import asyncio
import time

from nicegui import ui


def describe(names: list[str]) -> str:
    if not names:
        return ''
    if len(names) == 1:
        return f'{names[0]} is typing…'
    if len(names) == 2:
        return f'{names[0]} and {names[1]} are typing…'
    return 'several people are typing…'


class TypingLine:
    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._typers: dict[int, tuple[str, float]] = {}
        self._expiry: asyncio.TimerHandle | None = None
        self.label = ui.label().classes('chat-typing').props('data-testid=typing aria-live=polite')

    def started(self, user_id: int, username: str) -> None:
        self._typers[user_id] = (username, time.monotonic() + self._ttl)
        self._show()

    def stopped(self, user_id: int) -> None:
        if self._typers.pop(user_id, None) is not None:
            self._show()

    def _expire(self) -> None:
        self._expiry = None
        now = time.monotonic()
        self._typers = {uid: entry for uid, entry in self._typers.items() if entry[1] > now}
        self._show()

    def _show(self) -> None:
        if self.label.is_deleted:
            return
        self.label.set_text(describe(sorted(name for name, _ in self._typers.values())))
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self._typers:
            soonest = min(until for _, until in self._typers.values())
            self._expiry = asyncio.get_running_loop().call_later(max(0.0, soonest - time.monotonic()), self._expire)
