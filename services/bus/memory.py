"""The in-process bus: the default when one process serves everyone."""
from __future__ import annotations

import logging

from ..events import Event
from .base import Handler, Resync

log = logging.getLogger(__name__)


class InProcessBus:
    """Awaits each handler in subscription order; a failing handler is logged and skipped."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    async def start(self) -> None:
        """Nothing to connect."""

    async def close(self) -> None:
        """Forget the subscribers."""
        self._handlers.clear()

    async def publish(self, event: Event) -> None:
        """Deliver to every handler; one handler's failure never reaches the publisher or the others."""
        for handler in list(self._handlers):
            try:
                await handler(event)
            except Exception:
                log.exception('bus handler %r failed on %s', handler, type(event).__name__)

    def subscribe(self, handler: Handler) -> None:
        """Register a handler for every later event."""
        self._handlers.append(handler)

    def on_reconnect(self, callback: Resync) -> None:
        """Nothing to reconnect to in one process: the callback is never called."""
