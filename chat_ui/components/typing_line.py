"""The "alice is typing…" line. Entries expire on their own; a timer runs only while someone types."""
from __future__ import annotations

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
        self.label = ui.label().classes('chat-typing').props('data-testid=typing aria-live=polite')
        self._timer = ui.timer(0.5, self._expire, active=False)

    def started(self, user_id: int, username: str) -> None:
        self._typers[user_id] = (username, time.monotonic() + self._ttl)
        self._show()

    def stopped(self, user_id: int) -> None:
        if self._typers.pop(user_id, None) is not None:
            self._show()

    def _expire(self) -> None:
        now = time.monotonic()
        expired = [uid for uid, (_, until) in self._typers.items() if until <= now]
        for uid in expired:
            del self._typers[uid]
        if expired:
            self._show()

    def _show(self) -> None:
        self.label.set_text(describe(sorted(name for name, _ in self._typers.values())))
        self._timer.active = bool(self._typers)
