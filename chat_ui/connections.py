"""uvicorn's HTTP protocol with a header timeout and a per-address connection cap (slowloris).

uvicorn times out idle keep-alive connections (`timeout_keep_alive`) but not a connection that never
finishes its request head: 1,000 connections that sent half a header were held for as long as their
clients liked. nginx's `client_header_timeout` (default 60 s) is what most deployments put in front;
the chat also runs without a proxy, so the protocol does it itself:

- a request's head (request line and headers) must arrive within `header_timeout` seconds of the
  connection opening, or of the first byte of the next request on a keep-alive connection; otherwise
  the connection is closed;
- one client address holds at most `connections_per_address` HTTP connections at once (a browser uses
  six per host; an office behind one NAT address a few hundred); more are closed at once. A connection
  that becomes a WebSocket leaves this count (chat_ui/edge.py counts WebSockets).

Pass the class that `http_protocol` returns as `ui.run(http=...)` (uvicorn's `http` option).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from services.edge_settings import EdgeSettings
from services.ratelimit import address_key

from .edge import socket_options

log = logging.getLogger(__name__)


def http_protocol(edge: EdgeSettings, limits_on: bool) -> type[asyncio.Protocol]:
    """The protocol class for one server; its connection counts live in this closure, not in the module."""
    header_timeout = edge.header_timeout
    per_address = edge.connections_per_address if limits_on else None
    open_by_address: dict[str, int] = {}

    class GuardedHttp(HttpToolsProtocol):
        _chat_address: str | None = None
        _chat_counted = False
        _chat_head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._chat_address = address_key(self.client[0]) if self.client else None
            if per_address is not None and self._chat_address is not None:
                count = open_by_address.get(self._chat_address, 0) + 1
                open_by_address[self._chat_address] = count
                self._chat_counted = True
                if count > per_address:
                    transport.close()
                    return
            self._chat_arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._chat_head_timer is None:  # the next request on a keep-alive connection
                self._chat_arm()

        def on_headers_complete(self) -> None:
            self._chat_disarm()
            super().on_headers_complete()

        def handle_websocket_upgrade(self) -> None:
            self._chat_disarm()
            self._chat_release()
            super().handle_websocket_upgrade()

        def connection_lost(self, exc: Exception | None) -> None:
            self._chat_disarm()
            self._chat_release()
            super().connection_lost(exc)

        def _chat_arm(self) -> None:
            self._chat_head_timer = self.loop.call_later(header_timeout, self._chat_head_timed_out)

        def _chat_disarm(self) -> None:
            if self._chat_head_timer is not None:
                self._chat_head_timer.cancel()
                self._chat_head_timer = None

        def _chat_head_timed_out(self) -> None:
            self._chat_head_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def _chat_release(self) -> None:
            if not self._chat_counted or self._chat_address is None:
                return
            self._chat_counted = False
            left = open_by_address.pop(self._chat_address, 1) - 1
            if left > 0:
                open_by_address[self._chat_address] = left

    return GuardedHttp


def server_options(edge: EdgeSettings, limits_on: bool) -> dict[str, Any]:
    """uvicorn options for `ui.run(**options)`: proxies, timeouts, connection limits, graceful shutdown."""
    trusted = list(edge.trusted_proxies)
    return {
        'http': http_protocol(edge, limits_on),
        # X-Forwarded-For/-Proto only from configured proxies; uvicorn's default trusts 127.0.0.1 and ::1
        'proxy_headers': bool(trusted),
        'forwarded_allow_ips': trusted or [],
        'timeout_keep_alive': edge.keep_alive,
        'limit_concurrency': edge.max_connections,
        'timeout_graceful_shutdown': edge.shutdown_timeout,
        **socket_options(),
    }
