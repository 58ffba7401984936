"""HTTP hardening: refuse unknown Hosts and cross-site Socket.IO connections, add security headers, Secure cookies.

NiceGUI creates its Socket.IO server with `cors_allowed_origins='*'`, so any web page a signed-in
person visits could open the chat's socket with their cookie (cross-site WebSocket hijacking).
`install` puts one pure-ASGI middleware in front of the whole app, outside every middleware that
NiceGUI adds in `ui.run` (so it also sees the session cookie that Starlette's SessionMiddleware sets):

- A request whose `Host` is a name the app does not know gets 400 "Unknown host" (as Django's
  ALLOWED_HOSTS): a DNS-rebinding page (evil.example resolving to 127.0.0.1) sends its own name as Host,
  which would otherwise pass the Origin check below as "same host". Known: `localhost`, the hosts of
  CHAT_ALLOWED_ORIGINS, CHAT_ALLOWED_HOSTS and the bind address. An IP address as Host always passes:
  rebinding needs a domain name, and people reach a LAN server by its address.
- Socket.IO (`/_nicegui_ws/...`, polling and WebSocket) and every state-changing request
  (POST, PUT, PATCH, DELETE) with an `Origin` header that is not the app's own get HTTP 403.
  "Own" means the same host and port as the request's `Host` header, or one of
  `settings.allowed_origins` (for proxies that rewrite `Host`). Requests without `Origin`
  (scripts, the benchmark) pass: browsers always send it on WebSocket and cross-origin requests.
- Every HTTP response gets `X-Content-Type-Options`, `Referrer-Policy`, a CSP that forbids framing
  by other origins (plus `object-src`/`base-uri`/`form-action`, which NiceGUI does not need) and
  `X-Frame-Options` for older browsers.
- Over HTTPS (as uvicorn reports the scheme: direct TLS, or a trusted proxy's X-Forwarded-Proto)
  every `Set-Cookie` gets `Secure`. Starlette already marks the session cookie HttpOnly and SameSite=Lax.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from nicegui import app, core
from nicegui import nicegui as nicegui_app  # its Socket.IO ASGI app (tests/unit/test_nicegui_internals.py)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.config import Settings

from .edge import MAX_SOCKET_MESSAGE, EdgeMiddleware
from .hosts import host_allowed, known_hosts, server_name

SOCKET_PREFIX = '/_nicegui_ws/'
UNSAFE_METHODS = frozenset({'POST', 'PUT', 'PATCH', 'DELETE'})
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b'x-content-type-options', b'nosniff'),
    (b'referrer-policy', b'same-origin'),
    (b'content-security-policy', b"frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"),
    (b'x-frame-options', b'SAMEORIGIN'),
)
_DEFAULT_PORTS = {'http': 80, 'https': 443}


def _origin_key(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an Origin value, or None when it is not an http(s) origin (e.g. "null")."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ('', '/'):
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def _host_key(host: str, scheme: str) -> tuple[str, int] | None:
    """(host, port) of a Host header; a missing port is the default of the Origin's scheme."""
    try:
        parts = urlsplit(f'//{host.strip()}')
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def origin_allowed(origin: str, host: str | None, extra: Iterable[str] = ()) -> bool:
    """Whether a browser page at `origin` may talk to this app, reached under `host`."""
    key = _origin_key(origin)
    if key is None:
        return False
    scheme, hostname, port = key
    if host and _host_key(host, scheme) == (hostname, port):
        return True
    return any(_origin_key(allowed) == key for allowed in extra)


class SecurityMiddleware:
    def __init__(self, inner: ASGIApp, allowed_origins: Iterable[str] = (),
                 hosts: Iterable[str] | None = None) -> None:
        self.app = inner
        self.allowed_origins = tuple(allowed_origins)
        self.hosts = None if hosts is None else frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] not in ('http', 'websocket'):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if self.hosts is not None and not host_allowed(headers.get('host'), self.hosts | server_name(scope)):
            await _refuse(scope, send, 400, b'Unknown host.')
            return
        origin = headers.get('origin')
        if origin is not None and self._guarded(scope) and \
                not origin_allowed(origin, headers.get('host'), self.allowed_origins):
            await _refuse(scope, send)
            return
        if scope['type'] == 'websocket':
            await self.app(scope, receive, send)
            return
        https = scope.get('scheme') == 'https'

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                message['headers'] = _secure_headers(list(message.get('headers', [])), https)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _guarded(scope: Scope) -> bool:
        path = scope['path']
        root = scope.get('root_path') or ''
        if root and path.startswith(root):
            path = path[len(root):]
        if scope['type'] == 'websocket' or path.startswith(SOCKET_PREFIX):
            return True
        return scope.get('method', 'GET') in UNSAFE_METHODS


def _headers(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get('headers', []):
        key = name.decode('latin-1').lower()
        if key in ('origin', 'host') and key not in found:
            found[key] = value.decode('latin-1')
    return found


def _secure_headers(headers: list[tuple[bytes, bytes]], https: bool) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    if https:
        headers = [(name, value + b'; Secure')
                   if name.lower() == b'set-cookie' and b'secure' not in value.lower() else (name, value)
                   for name, value in headers]
    return headers


async def _refuse(scope: Scope, send: Send, status: int = 403, body: bytes = b'Cross-origin request refused.') -> None:
    if scope['type'] == 'websocket':
        # closing before accepting makes the server answer the upgrade with HTTP 403
        await send({'type': 'websocket.close', 'code': 1008})
        return
    await send({'type': 'http.response.start', 'status': status,
                'headers': [(b'content-type', b'text/plain; charset=utf-8'),
                            (b'content-length', str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({'type': 'http.response.body', 'body': body})


def install(settings: Settings) -> None:
    """Wrap the app in `SecurityMiddleware` (outermost) and `EdgeMiddleware`, stop Engine.IO echoing foreign
    origins in CORS headers and cap its messages.

    Call once, before `ui.run`.
    """
    extra = settings.allowed_origins
    hosts = known_hosts(settings)
    # NiceGUI's test fixtures run main.py again for each test: wrap the original builder, not our last wrapper
    build = getattr(app.build_middleware_stack, 'unwrapped', app.build_middleware_stack)

    def build_with_security() -> ASGIApp:
        # ui.run adds NiceGUI's middlewares (sessions, gzip ...) after register(): wrapping the built
        # stack keeps this one outside all of them, whatever their order
        edge = EdgeMiddleware(build(), settings.edge, settings.limits.enabled, sockets=nicegui_app.sio_app)
        return SecurityMiddleware(edge, extra, hosts)

    build_with_security.unwrapped = build  # type: ignore[attr-defined]
    app.build_middleware_stack = build_with_security  # type: ignore[method-assign]

    def engineio_origin_allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        return origin is not None and origin_allowed(origin, environ.get('HTTP_HOST'), extra)

    # a second fence: Engine.IO itself now refuses (400) foreign origins and stops answering them with
    # "Access-Control-Allow-Origin: <their origin>" plus "Allow-Credentials: true"
    core.sio.eio.cors_allowed_origins = engineio_origin_allowed
    # polling posts and WebSocket messages past this are refused by Engine.IO (its default is 1,000,000)
    core.sio.eio.max_http_buffer_size = MAX_SOCKET_MESSAGE
