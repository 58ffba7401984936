"""What the HTTP edge accepts: `EdgeSettings`, read from CHAT_* variables by services/config.py."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass


def networks(name: str, raw: str) -> tuple[str, ...]:
    """A comma list of addresses or CIDR networks, each checked (normalised: '10.0.0.0/8', '::1/128')."""
    found: list[str] = []
    for part in (p.strip() for p in raw.split(',')):
        if not part:
            continue
        try:
            found.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ValueError(f'{name} must be a comma list of IP addresses or networks (got {part!r})') from None
    return tuple(found)


def hosts(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in raw.split(',') if part.strip())


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    """What the HTTP edge accepts (chat_ui/edge.py, chat_ui/connections.py, main.py's uvicorn options).

    Per-address and per-user limits are off with CHAT_RATE_LIMITS=off (the benchmark opens 1,000 sockets
    from one address); body caps and timeouts always hold.
    """

    trusted_proxies: tuple[str, ...] = ()  # X-Forwarded-For/-Proto only from these; none: proxy headers off
    allowed_hosts: tuple[str, ...] = ()  # extra Host names, beside loopback, the bind address, origins' hosts
    page_burst: int = 30  # page loads per client address, and per browser session: a burst ...
    page_every: float = 0.5  # ... then one every N s
    pages_per_user: int = 20  # open pages per signed-in user; a new one closes the oldest
    sockets_per_address: int = 200  # open WebSockets per client address (an office behind NAT shares one)
    connections_per_address: int = 256  # open HTTP connections per client address (not yet WebSockets)
    max_connections: int = 5000  # uvicorn's limit_concurrency: answers 503 beyond
    header_timeout: float = 10.0  # a request's head must arrive within this (slowloris)
    body_timeout: float = 30.0  # and its body within this
    keep_alive: float = 5.0  # idle keep-alive connections close after this
    shutdown_timeout: float = 3.0  # SIGTERM: open connections get this long, then the process exits

    def __post_init__(self) -> None:
        if self.page_burst < 1 or not 0 < self.page_every < float('inf'):
            raise ValueError('page_burst must be at least 1 and page_every a finite number of seconds > 0')
        for name in ('pages_per_user', 'sockets_per_address', 'connections_per_address', 'max_connections'):
            if getattr(self, name) < 1:
                raise ValueError(f'{name} must be at least 1')
        for name in ('header_timeout', 'body_timeout', 'keep_alive', 'shutdown_timeout'):
            if not 0 < getattr(self, name) < float('inf'):
                raise ValueError(f'{name} must be a finite number of seconds > 0')
