"""Which `Host` names the app answers to (DNS rebinding): see chat_ui/security.py."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import Scope

from services.config import Settings

LOOPBACK_NAMES = frozenset({'localhost'})


def known_hosts(settings: Settings) -> frozenset[str]:
    """Host names (lowercase, no port) the app answers to; IP addresses are always accepted (`host_allowed`)."""
    names = set(LOOPBACK_NAMES) | set(settings.edge.allowed_hosts)
    names |= {host.lower() for host in map(_hostname, settings.allowed_origins) if host}
    names.add(settings.host.lower())
    return frozenset(names)


def host_allowed(host: str | None, known: Iterable[str]) -> bool:
    """Whether a `Host` header names this app: an IP address, or a known name. No Host (HTTP/1.0) passes."""
    if host is None:
        return True
    if '@' in host:  # no user info in a Host header
        return False
    try:
        hostname = urlsplit(f'//{host.strip()}').hostname
    except ValueError:
        return False
    if not hostname:
        return False
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return hostname.rstrip('.') in known
    return True


def server_name(scope: Scope) -> frozenset[str]:
    """The server's own address as the ASGI server reports it (uvicorn: the socket's IP; a test transport: its
    base URL's name): never something a request can choose."""
    server = scope.get('server')
    return frozenset({str(server[0]).lower()}) if server else frozenset()


def _hostname(origin: str) -> str | None:
    try:
        return urlsplit(origin.strip()).hostname
    except ValueError:
        return None
