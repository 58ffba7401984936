"""Start the services before the first request is served, and stop them on shutdown.

NiceGUI runs startup handlers as background tasks, so a request can arrive before the database
is migrated: HTTP requests wait here until start-up has finished (or failed).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse
from nicegui import app

from services.bootstrap import Services

log = logging.getLogger(__name__)


def manage(services: Services) -> None:
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
        except Exception as e:
            log.exception('could not start the chat services')
            failure.append(e)
            app.shutdown()
        finally:
            done.set()

    @app.middleware('http')
    async def wait_for_start(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not done.is_set():
            await done.wait()
        if failure:
            return PlainTextResponse(f'The chat could not start: {failure[0]}', status_code=503)
        return await call_next(request)

    app.on_startup(start)
    app.on_shutdown(services.close)
