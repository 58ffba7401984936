"""The HTTP edge: body caps, page loads per address, open WebSockets per address.

One pure-ASGI middleware (no per-request task or stream objects), installed just inside the security
middleware (chat_ui/security.py), in front of everything NiceGUI and FastAPI do:

- Request bodies: at most `MAX_BODY` bytes. A larger `Content-Length` is refused at once (413, the
  connection closed, nothing read); a body without one (chunked) is counted as it streams and refused
  the moment it passes the cap. Every accepted body is read here first, within `body_timeout` seconds
  (408 otherwise), so a slow or huge body never reaches a handler. The chat's API and Engine.IO's
  polling transport receive small JSON; NiceGUI's only body-receiving route is `ui.upload`, unused here.
- Page loads (any GET outside NiceGUI's assets, its socket and the API) per client address and per
  browser session (the session cookie): token buckets, 429 with `Retry-After` past either. Every page
  builds a NiceGUI client on the event loop and in server memory; the session bucket stops one person
  reloading from many addresses, the address bucket one address with ever new cookies.
- WebSockets open at once per client address: refused (HTTP 403 on the upgrade) past the limit.
- NiceGUI's own WebSocket (`/_nicegui_ws/`) goes straight to its Socket.IO app from here, not through
  the middleware stack inside (sessions, gzip, the start gate, Starlette's error handlers: none of them
  does anything for a WebSocket): every frame to every open page passed through their `send` wrappers,
  about a quarter of the server's time when a message goes out to 200 pages, and each open socket held
  their frames in memory for its whole life (bench/README.md, "Fan-out").

The client address is uvicorn's `scope['client']`: the peer, or X-Forwarded-For only from
CHAT_TRUSTED_PROXIES (main.py). The Socket.IO frame cap is uvicorn's `ws_max_size` plus Engine.IO's
`max_http_buffer_size` (`socket_options`).
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.edge_settings import EdgeSettings
from services.errors import RateLimited
from services.ratelimit import RateLimiter, address_key, wait_text

MAX_BODY = 64 * 1024  # the API's JSON and Engine.IO polling posts; NiceGUI itself receives no bodies here
# The composer's largest event: 4,000 characters, each at worst a JSON-escaped surrogate pair
# ("\ud83d\ude00", 12 bytes: 48,000) plus the event's envelope. Engine.IO's default is 1,000,000.
MAX_SOCKET_MESSAGE = 64 * 1024
SOCKET_MOUNT = '/_nicegui_ws/'
NOT_PAGES = ('/_nicegui/', SOCKET_MOUNT, '/api/', '/favicon.ico', '/files/')  # /files/: a room's images
_BODY_METHODS = frozenset({'POST', 'PUT', 'PATCH', 'DELETE'})


def socket_options() -> dict[str, Any]:
    """uvicorn options that cap one WebSocket frame before it is buffered whole, and leave frames uncompressed.

    permessage-deflate (which every browser offers and uvicorn accepts by default) compresses each frame once
    per socket: a message to 200 open pages was deflated 200 times, and every open socket kept a zlib
    compressor and decompressor in memory for its whole life. Chat frames are a few hundred bytes of JSON;
    the page itself (HTML, scripts) still comes gzip-compressed over HTTP.
    """
    return {'ws_max_size': MAX_SOCKET_MESSAGE, 'ws_per_message_deflate': False}


def _json(status: int, detail: str, extra: tuple[tuple[bytes, bytes], ...] = ()) -> tuple[Message, Message]:
    body = json.dumps({'detail': detail}).encode()
    start: Message = {'type': 'http.response.start', 'status': status, 'headers': [
        (b'content-type', b'application/json'), (b'content-length', str(len(body)).encode()), *extra]}
    return start, {'type': 'http.response.body', 'body': body}


async def _answer(send: Send, status: int, detail: str, *extra: tuple[bytes, bytes]) -> None:
    for message in _json(status, detail, extra):
        await send(message)


class _TooLarge(Exception):
    pass


class EdgeMiddleware:
    def __init__(self, inner: ASGIApp, edge: EdgeSettings, limits_on: bool,
                 clock: Callable[[], float] = time.monotonic, sockets: ASGIApp | None = None) -> None:
        self.app = inner
        self.sockets = sockets  # NiceGUI's Socket.IO app, reached without the stack inside
        self.body_timeout = edge.body_timeout
        self.pages = RateLimiter(1 / edge.page_every, edge.page_burst, clock, action='load a page') \
            if limits_on else None
        self.session_pages = RateLimiter(1 / edge.page_every, edge.page_burst, clock, action='load a page') \
            if limits_on else None
        self.sockets_per_address = edge.sockets_per_address if limits_on else None
        self.open_sockets: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'websocket':
            await self._websocket(scope, receive, send)
        elif scope['type'] == 'http':
            await self._http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.pages is not None and self.session_pages is not None and _is_page_load(scope):
            address, session = _address(scope), _session(scope)
            try:
                if address is not None:
                    await self.pages.check(address)
                if session is not None:
                    await self.session_pages.check(session)
            except RateLimited as e:
                wait = wait_text(e.retry_after)
                await _answer(send, 429, f'Too many page loads. Try again in {wait}.',
                              (b'retry-after', wait.removesuffix(' s').encode()))
                return
        if is_upload(scope):  # its route reads the body as it streams, with its own limit (chat_ui/files_api.py)
            await self.app(scope, receive, send)
            return
        length, chunked = _body_headers(scope)
        if length is None and not chunked and scope.get('method') not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if length is not None and length > MAX_BODY:
            await _answer(send, 413, f'The request is too large (at most {MAX_BODY // 1024} KiB).',
                          (b'connection', b'close'))
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await _read_body(receive)
        except _TooLarge:
            await _answer(send, 413, f'The request is too large (at most {MAX_BODY // 1024} KiB).',
                          (b'connection', b'close'))
            return
        except TimeoutError:
            await _answer(send, 408, 'The request body took too long to arrive.', (b'connection', b'close'))
            return
        except asyncio.CancelledError:
            # uvicorn's graceful shutdown ran out of time while this client was still sending: answer and end
            # quietly instead of a CancelledError traceback per slow client in the log
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            await _answer(send, 503, 'The server is shutting down.', (b'connection', b'close'))
            return
        if body is None:
            return  # the client went away while sending
        await self.app(scope, _replay(body, receive), send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = _address(scope)
        if self.sockets_per_address is None or address is None:
            await self._open(scope, receive, send)
            return
        if self.open_sockets.get(address, 0) >= self.sockets_per_address:
            await send({'type': 'websocket.close', 'code': 1008})  # before accepting: HTTP 403
            return
        self.open_sockets[address] = self.open_sockets.get(address, 0) + 1
        try:
            await self._open(scope, receive, send)
        finally:
            left = self.open_sockets.pop(address) - 1
            if left:
                self.open_sockets[address] = left


    async def _open(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.sockets is not None and not scope.get('root_path') and str(scope['path']).startswith(SOCKET_MOUNT):
            # what Starlette's Mount('/_nicegui_ws') passes on; NiceGUI's app strips the root path from the path
            await self.sockets({**scope, 'root_path': SOCKET_MOUNT.rstrip('/')}, receive, send)
        else:
            await self.app(scope, receive, send)


def is_upload(scope: Scope) -> bool:
    """POST /api/rooms/<digits>/files: a file upload, whose body is not capped at MAX_BODY here."""
    parts = str(scope.get('path', '')).split('/')
    return (scope.get('method') == 'POST' and len(parts) == 5 and parts[:3] == ['', 'api', 'rooms']
            and parts[4] == 'files' and parts[3].isascii() and parts[3].isdigit())


def _address(scope: Scope) -> str | None:
    client = scope.get('client')
    return address_key(client[0]) if client else None


def _session(scope: Scope) -> str | None:
    """The browser's session (Starlette's `session` cookie) as a bounded key.

    The cookie is re-signed with a new timestamp on every response: the key is its payload (the session
    id, base64), which stays. Unverified on purpose: a forged one only gets a bucket of its own, and the
    address bucket still applies.
    """
    for name, value in scope.get('headers', []):
        if name == b'cookie':
            for part in value.decode('latin-1').split(';'):
                key, _, cookie = part.strip().partition('=')
                if key == 'session' and cookie:
                    return str(cookie.split('.', 1)[0][:200])
    return None


def _is_page_load(scope: Scope) -> bool:
    return scope.get('method') in ('GET', 'HEAD') and not str(scope.get('path', '')).startswith(NOT_PAGES)


def _body_headers(scope: Scope) -> tuple[int | None, bool]:
    """(Content-Length or None, whether the body is chunked); an unreadable length counts as too large."""
    length: int | None = None
    chunked = False
    for name, value in scope.get('headers', []):
        if name == b'content-length':
            try:
                length = int(value)
            except ValueError:
                length = MAX_BODY + 1
        elif name == b'transfer-encoding':
            chunked = True
    return length, chunked


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, at most MAX_BODY bytes (_TooLarge past it); None if the client disconnected."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message['type'] == 'http.disconnect':
            return None
        chunk = message.get('body', b'')
        size += len(chunk)
        if size > MAX_BODY:
            raise _TooLarge
        parts.append(chunk)
        if not message.get('more_body', False):
            return b''.join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body read already, then the real channel (for disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {'type': 'http.request', 'body': body, 'more_body': False}
        return await receive()

    return replay
