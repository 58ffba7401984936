"""Start the services before the first request is served, and stop them on shutdown.

NiceGUI runs startup handlers as background tasks, so a request can arrive before the database
is migrated: HTTP requests wait here until start-up has finished (or failed).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from fastapi.responses import PlainTextResponse
from nicegui import app
from starlette.types import ASGIApp, Receive, Scope, Send

from services.bootstrap import Services

log = logging.getLogger(__name__)
START_FAILED = 'The chat could not start; see the server log.'


def manage(services: Services, after_start: Callable[[], None] | None = None) -> None:
    """Start the services with the app, stop them with it; `after_start` runs once they have started."""
    done = asyncio.Event()
    failure: list[BaseException] = []
    starting = asyncio.Lock()

    async def start() -> None:
        async with starting:  # NiceGUI's test fixtures may enter the lifespan twice: start once
            if not done.is_set():
                await _start()

    async def _start() -> None:
        try:
            await services.start()
            if after_start is not None:
                after_start()
        except Exception as e:
            log.exception('could not start the chat services')
            failure.append(e)
            app.shutdown()
        finally:
            done.set()

    app.add_middleware(StartGate, done=done, failure=failure)
    app.on_startup(start)
    app.on_shutdown(services.close)
    app.on_shutdown(services.messages.close)  # the Markdown worker process


class StartGate:
    """Pure ASGI (no per-request task and stream objects): HTTP waits for start-up, then passes through.

    After a failed start every request gets 503 with a fixed sentence: the reason (a database URL with
    its user, a path ...) is in the server log, not for any visitor.
    """

    def __init__(self, inner: ASGIApp, done: asyncio.Event, failure: list[BaseException]) -> None:
        self.inner = inner
        self.done = done
        self.failure = failure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and not self.done.is_set():
            await self.done.wait()
        if scope['type'] == 'http' and self.failure:
            await PlainTextResponse(START_FAILED, status_code=503)(scope, receive, send)
            return
        await self.inner(scope, receive, send)
