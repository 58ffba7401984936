"""Settings, read once from CHAT_* environment variables. The only module that looks at os.environ."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .config_limits import LIMITS_ENV as _LIMITS_ENV
from .config_limits import RateLimits
from .config_limits import limits as _limits
from .config_values import WEBSOCKET_IMPLEMENTATIONS
from .config_values import bool_value as _bool
from .config_values import count_value as _count
from .config_values import origins_value as _origins
from .config_values import port_value as _port
from .config_values import seconds_value as _seconds
from .config_values import text_value as _text
from .config_values import websocket_value as _websocket
from .edge_settings import EdgeSettings, hosts, networks

_ENV: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    'host': ('CHAT_HOST', lambda _n, raw: raw.strip() or '127.0.0.1'),
    'port': ('CHAT_PORT', _port),
    'data_dir': ('CHAT_DATA_DIR', lambda _n, raw: Path(raw.strip() or 'data')),
    'native': ('CHAT_NATIVE', _bool),
    'database_url': ('CHAT_DATABASE_URL', _text),
    'redis_url': ('CHAT_REDIS_URL', _text),
    'storage_secret': ('CHAT_STORAGE_SECRET', _text),
    'redis_prefix': ('CHAT_REDIS_PREFIX', lambda _n, raw: raw.strip() or 'chat:'),  # keys and channel of one chat
    'presence_grace': ('CHAT_PRESENCE_GRACE', _seconds),
    'away_after': ('CHAT_AWAY_AFTER', _seconds),
    'typing_ttl': ('CHAT_TYPING_TTL', _seconds),
    'allowed_origins': ('CHAT_ALLOWED_ORIGINS', _origins),
    'websocket': ('CHAT_WS', _websocket),
    # sign-in and sessions (hostile-auth)
    'hash_slots': ('CHAT_HASH_SLOTS', _count),
    'hash_queue': ('CHAT_HASH_QUEUE', _count),
    'session_idle': ('CHAT_SESSION_IDLE', _seconds),
    'session_max_age': ('CHAT_SESSION_MAX_AGE', _seconds),
    'files_url': ('CHAT_FILES_URL', _text),
    'max_upload_mb': ('CHAT_MAX_UPLOAD_MB', _count),
    'upload_quota_mb': ('CHAT_UPLOAD_QUOTA_MB', _count),
}


# --- the edge: proxies, hosts, connection limits and timeouts (issue 8; EdgeSettings in edge_settings.py) ---
_EDGE_ENV: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    'trusted_proxies': ('CHAT_TRUSTED_PROXIES', networks),
    'allowed_hosts': ('CHAT_ALLOWED_HOSTS', hosts),
    'page_burst': ('CHAT_PAGE_BURST', _count),
    'page_every': ('CHAT_PAGE_EVERY', _seconds),
    'pages_per_user': ('CHAT_PAGES_PER_USER', _count),
    'sockets_per_address': ('CHAT_SOCKETS_PER_ADDRESS', _count),
    'connections_per_address': ('CHAT_CONNECTIONS_PER_ADDRESS', _count),
    'max_connections': ('CHAT_MAX_CONNECTIONS', _count),
    'header_timeout': ('CHAT_HEADER_TIMEOUT', _seconds),
    'body_timeout': ('CHAT_BODY_TIMEOUT', _seconds),
    'keep_alive': ('CHAT_KEEP_ALIVE', _seconds),
    'shutdown_timeout': ('CHAT_SHUTDOWN_TIMEOUT', _seconds),
}


def _edge(source: Mapping[str, str]) -> EdgeSettings | None:
    values = {name: parse(var, source[var]) for name, (var, parse) in _EDGE_ENV.items() if var in source}
    if not values:
        return None
    try:
        return EdgeSettings(**values)
    except ValueError as e:
        raise ValueError(re.sub(r'[a-z_]+', lambda m: _EDGE_ENV.get(m.group(), (m.group(),))[0], str(e))) from None
# --- end of the edge block -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = '127.0.0.1'
    port: int = 8080
    data_dir: Path = Path('data')
    native: bool = False
    database_url: str | None = None
    redis_url: str | None = None
    storage_secret: str | None = None  # shared by every instance of one chat; else made in the data dir
    redis_prefix: str = 'chat:'  # several chats can share one Redis under different prefixes
    presence_grace: float = 10.0
    away_after: float = 300.0
    typing_ttl: float = 5.0
    history_page: int = 50
    max_message_length: int = 4000
    allowed_origins: tuple[str, ...] = ()
    websocket: str = 'websockets-sansio'  # uvicorn's WebSocket implementation (chat_ui/transport.py)
    limits: RateLimits = field(default_factory=RateLimits)
    # sign-in and sessions (hostile-auth)
    hash_slots: int = 0  # argon2 hashes at once; 0: cores / the hash's threads (4), at least 1
    hash_queue: int = 8  # hashes waiting for a slot; beyond: "The server is busy"
    session_idle: float = 14 * 86400.0  # a session unused this long ends
    session_max_age: float = 90 * 86400.0  # and every session ends this long after sign-in
    edge: EdgeSettings = field(default_factory=EdgeSettings)
    # files in messages: where (None: <data_dir>/files; s3://...: services/blobs/s3.py), per file, per user (MB)
    files_url: str | None = None
    max_upload_mb: int = 25
    upload_quota_mb: int = 1024

    def __post_init__(self) -> None:
        # Overrides from the command line bypass the env parsers: check the same limits here.
        if not 0 < self.port < 65536:
            raise ValueError(f'port must be between 1 and 65535 (got {self.port})')
        for name in ('presence_grace', 'away_after', 'typing_ttl'):
            value = getattr(self, name)
            if not 0 <= value < float('inf'):
                raise ValueError(f'{name} must be a finite number of seconds >= 0 (got {value})')
        if self.websocket not in WEBSOCKET_IMPLEMENTATIONS:
            raise ValueError(f'websocket must be one of {", ".join(WEBSOCKET_IMPLEMENTATIONS)}')
        if self.storage_secret is not None and len(self.storage_secret) < 32:
            raise ValueError('CHAT_STORAGE_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`)')
        if self.history_page < 1 or self.max_message_length < 1:
            raise ValueError('history_page and max_message_length must be at least 1')
        if self.hash_slots < 0 or self.hash_queue < 0 or not 0 < self.session_idle <= self.session_max_age:
            raise ValueError('hash_slots and hash_queue must be >= 0, 0 < session_idle <= session_max_age')
        if self.max_upload_mb < 1 or self.upload_quota_mb < self.max_upload_mb:
            raise ValueError('CHAT_MAX_UPLOAD_MB must be at least 1 and CHAT_UPLOAD_QUOTA_MB at least as much')
        if self.files_url is not None and not (self.files_url.startswith('s3://')
                                               or self.files_url.startswith('file:///')):
            raise ValueError('CHAT_FILES_URL must be an s3:// URL or a file:/// URL of a directory shared by the '
                             'instances (leave it unset for the data directory)')

    @property
    def db_url(self) -> str:
        """The database to use: CHAT_DATABASE_URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f'sqlite+aiosqlite:///{self.data_dir / "chat.db"}'

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from CHAT_* variables; keyword overrides that are not None win (CLI flags).

        Raises ValueError naming the variable when a value cannot be used.
        """
        source = os.environ if env is None else env
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f'Unknown setting(s): {", ".join(sorted(unknown))}')
        values: dict[str, Any] = {}
        for name, (var, parse) in _ENV.items():
            if var in source:
                values[name] = parse(var, source[var])
        limits = {name: parse(var, source[var]) for name, (var, parse) in _LIMITS_ENV.items() if var in source}
        if limits:
            values['limits'] = _limits(limits)
        if (edge := _edge(source)) is not None:
            values['edge'] = edge
        values.update({k: v for k, v in overrides.items() if v is not None})
        if 'data_dir' in values:
            values['data_dir'] = Path(values['data_dir'])
        if 'allowed_origins' in values and isinstance(values['allowed_origins'], str):
            values['allowed_origins'] = _origins('allowed_origins', values['allowed_origins'])
        return replace(cls(), **values)
