"""The bus port: services publish events after commit; one subscriber per process (the UI bridge) listens."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from ..events import Event

Handler = Callable[[Event], Awaitable[None]]


class Bus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, event: Event) -> None:
        """Deliver the event to every subscriber of every instance (this one included)."""

    def subscribe(self, handler: Handler) -> None:
        """Register a handler that is awaited for every event, in publish order."""
