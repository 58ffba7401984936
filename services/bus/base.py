"""The bus port: services publish events after commit; one subscriber per process (the UI bridge) listens."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from ..events import Event

Handler = Callable[[Event], Awaitable[None]]
Resync = Callable[[], Awaitable[None]]


class Bus(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, event: Event) -> None:
        """Deliver the event to every subscriber of every instance (this one included).

        Never raises into the publisher: the transaction behind the event has committed, whatever
        happens to its delivery. What other instances miss while their link is down, they catch up on
        by sequence number after `on_reconnect`.
        """

    def subscribe(self, handler: Handler) -> None:
        """Register a handler that is awaited for every event, in publish order."""

    def on_reconnect(self, callback: Resync) -> None:
        """Register a callback awaited after the link to the other instances came back.

        Events published elsewhere meanwhile were lost: the callback tells open pages to catch up.
        """
