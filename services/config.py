"""Settings, read once from CHAT_* environment variables. The only module that looks at os.environ."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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


# RateLimits field -> variable. Each "burst, then one every N s" limit is a token bucket (services/ratelimit.py).
_LIMITS_ENV: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    'enabled': ('CHAT_RATE_LIMITS', _bool),
    'message_burst': ('CHAT_MESSAGE_BURST', _count),
    'message_every': ('CHAT_MESSAGE_EVERY', _seconds),
    'typing_burst': ('CHAT_TYPING_BURST', _count),
    'typing_every': ('CHAT_TYPING_EVERY', _seconds),
    'room_burst': ('CHAT_ROOM_BURST', _count),
    'room_every': ('CHAT_ROOM_EVERY', _seconds),
    'signup_burst': ('CHAT_SIGNUP_BURST', _count),
    'signup_every': ('CHAT_SIGNUP_EVERY', _seconds),
    'signin_free': ('CHAT_SIGNIN_FREE', _count),
    'signin_free_per_address': ('CHAT_SIGNIN_FREE_PER_ADDRESS', _count),
    'signin_delay': ('CHAT_SIGNIN_DELAY', _seconds),
    'signin_max_delay': ('CHAT_SIGNIN_MAX_DELAY', _seconds),
    'signin_forget': ('CHAT_SIGNIN_FORGET', _seconds),
    'max_keys': ('CHAT_RATE_LIMIT_KEYS', _count),
    # sign-in ceilings, successful sign-ins, joins and leaves (hostile-auth)
    'signin_free_per_user': ('CHAT_SIGNIN_FREE_PER_USER', _count),
    'signin_ok_burst': ('CHAT_SIGNIN_OK_BURST', _count),
    'signin_ok_every': ('CHAT_SIGNIN_OK_EVERY', _seconds),
    'signin_ok_address_burst': ('CHAT_SIGNIN_OK_ADDRESS_BURST', _count),
    'signin_ok_address_every': ('CHAT_SIGNIN_OK_ADDRESS_EVERY', _seconds),
    'join_burst': ('CHAT_JOIN_BURST', _count),
    'join_every': ('CHAT_JOIN_EVERY', _seconds),
    # conversations: new DMs and groups, moderation and invitations, search (issues 11 and 13)
    'conversation_burst': ('CHAT_CONVERSATION_BURST', _count),
    'conversation_every': ('CHAT_CONVERSATION_EVERY', _seconds),
    'moderate_burst': ('CHAT_MODERATE_BURST', _count),
    'moderate_every': ('CHAT_MODERATE_EVERY', _seconds),
    'search_burst': ('CHAT_SEARCH_BURST', _count),
    'search_every': ('CHAT_SEARCH_EVERY', _seconds),
    # read positions reported by pages (attention)
    'read_burst': ('CHAT_READ_BURST', _count),
    'read_every': ('CHAT_READ_EVERY', _seconds),
    # reactions (issue "Messages and media")
    'react_burst': ('CHAT_REACT_BURST', _count),
    'react_every': ('CHAT_REACT_EVERY', _seconds),
    'upload_burst': ('CHAT_UPLOAD_BURST', _count),
    'upload_every': ('CHAT_UPLOAD_EVERY', _seconds),
}


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Per-process limits, on unless CHAT_RATE_LIMITS=off (benchmarks, load tests).

    Messages, typing, room creation, joins/leaves, new conversations, moderation (invitations included) and
    searches count per user; sign-up per client address.
    Sign-in attempts are counted before the password is checked, per (username, address) or per known
    device (`signin_free`), per address (`signin_free_per_address`) and per username from unknown
    devices (`signin_free_per_user`, the ceiling a distributed guesser meets); after the free ones each
    attempt locks the key for `signin_delay` s, doubling up to `signin_max_delay`, forgotten after
    `signin_forget` s. Successful sign-ins are limited per user and per address (`signin_ok_*`).
    """

    enabled: bool = True
    message_burst: int = 10
    message_every: float = 1.0
    typing_burst: int = 3
    typing_every: float = 1.0
    room_burst: int = 5
    room_every: float = 60.0
    signup_burst: int = 5
    signup_every: float = 60.0
    signin_free: int = 5
    signin_free_per_address: int = 20  # higher: an office behind one NAT address shares it
    signin_delay: float = 1.0
    signin_max_delay: float = 300.0
    signin_forget: float = 900.0
    max_keys: int = 10_000  # per limiter: bounds memory under a flood of distinct keys
    # sign-in ceilings, successful sign-ins, joins and leaves (hostile-auth)
    signin_free_per_user: int = 20
    signin_ok_burst: int = 5
    signin_ok_every: float = 30.0
    signin_ok_address_burst: int = 30  # an office behind one NAT address signs in at 9 am
    signin_ok_address_every: float = 2.0
    join_burst: int = 5
    join_every: float = 10.0
    conversation_burst: int = 10  # new direct messages and groups
    conversation_every: float = 30.0
    moderate_burst: int = 20  # invitations, removals, bans, unbans, roles: a moderator clearing out spammers
    moderate_every: float = 3.0
    search_burst: int = 10
    search_every: float = 1.0
    read_burst: int = 30  # read positions: every open page reports at most about once a second
    read_every: float = 0.2
    react_burst: int = 30  # adding or taking back a reaction
    react_every: float = 0.5
    upload_burst: int = 10  # files posted
    upload_every: float = 6.0

    def __post_init__(self) -> None:
        for name in ('message', 'typing', 'room', 'signup', 'signin_ok', 'signin_ok_address', 'join', 'conversation',
                     'moderate', 'search', 'read', 'react', 'upload'):
            burst, every = getattr(self, f'{name}_burst'), getattr(self, f'{name}_every')
            if burst < 1 or not 0 < every < float('inf'):
                raise ValueError(f'{name}_burst must be at least 1 and {name}_every a finite number of seconds > 0')
        if min(self.signin_free, self.signin_free_per_address, self.signin_free_per_user) < 0 or self.max_keys < 1:
            raise ValueError('signin_free, signin_free_per_address and signin_free_per_user must be >= 0, '
                             'max_keys >= 1')
        if not 0 < self.signin_delay <= self.signin_max_delay < float('inf') or not self.signin_forget >= 0:
            raise ValueError('need 0 < signin_delay <= signin_max_delay (finite) and signin_forget >= 0')


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
        if self.files_url is not None and not self.files_url.startswith('s3://'):
            raise ValueError('CHAT_FILES_URL must be an s3:// URL (leave it unset for the data directory)')

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


def _limits(values: Mapping[str, Any]) -> RateLimits:
    """RateLimits from parsed variables; a broken rule is reported with the variables' names."""
    try:
        return RateLimits(**values)
    except ValueError as e:
        raise ValueError(re.sub(r'[a-z_]+', lambda m: _LIMITS_ENV.get(m.group(), (m.group(),))[0], str(e))) from None
