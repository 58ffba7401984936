"""The Redis client the bus and presence use: fails fast, names itself, never logs the URL."""
from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff


def redis_client(url: str, *, retries: int = 1, name: str | None = None) -> Redis:
    """A client that gives up quickly: a caller that must not wait long hears about an outage at once.

    `retries=0` matters for a subscriber: redis-py would otherwise reconnect and resubscribe silently,
    and the events published meanwhile would be lost without anybody asking pages to catch up.
    """
    return Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries),
                          socket_connect_timeout=3, socket_timeout=5, client_name=name)


def describe(client: Redis) -> str:
    """host:port of a client, for messages (never the URL: it may hold a password)."""
    kwargs = client.connection_pool.connection_kwargs
    return f'{kwargs.get("host", "?")}:{kwargs.get("port", "?")}'
