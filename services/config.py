"""Settings, read once from CHAT_* environment variables. The only module that looks at os.environ."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

_TRUE = {'1', 'true', 'yes', 'on'}
_FALSE = {'0', 'false', 'no', 'off', ''}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f'{name} must be one of 1/0, true/false, yes/no, on/off (got {raw!r})')


def _port(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f'{name} must be a whole number (got {raw!r})') from None
    if not 0 < value < 65536:
        raise ValueError(f'{name} must be between 1 and 65535 (got {value})')
    return value


def _seconds(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f'{name} must be a number of seconds (got {raw!r})') from None
    if not value >= 0 or value == float('inf'):
        raise ValueError(f'{name} must be a finite number of seconds >= 0 (got {raw!r})')
    return value


def _count(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f'{name} must be a whole number (got {raw!r})') from None
    if value < 0:
        raise ValueError(f'{name} must be at least 0 (got {value})')
    return value


def _origins(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(',') if part.strip())


WEBSOCKET_IMPLEMENTATIONS = ('websockets-sansio', 'wsproto', 'websockets')


def _websocket(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in WEBSOCKET_IMPLEMENTATIONS:
        raise ValueError(f'{name} must be one of {", ".join(WEBSOCKET_IMPLEMENTATIONS)} (got {raw!r})')
    return value


def _text(_name: str, raw: str) -> str | None:
    return raw.strip() or None


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
}


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Per-process limits, on unless CHAT_RATE_LIMITS=off (benchmarks, load tests).

    Messages, typing and room creation count per user; sign-up per client address; failed sign-ins
    per username and per address, where after the free ones each failure locks for `signin_delay` s,
    doubling up to `signin_max_delay`, forgotten after `signin_forget` s without a failure.
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

    def __post_init__(self) -> None:
        for name in ('message', 'typing', 'room', 'signup'):
            burst, every = getattr(self, f'{name}_burst'), getattr(self, f'{name}_every')
            if burst < 1 or not 0 < every < float('inf'):
                raise ValueError(f'{name}_burst must be at least 1 and {name}_every a finite number of seconds > 0')
        if self.signin_free < 0 or self.signin_free_per_address < 0 or self.max_keys < 1:
            raise ValueError('signin_free and signin_free_per_address must be >= 0, max_keys >= 1')
        if not 0 < self.signin_delay <= self.signin_max_delay < float('inf') or not self.signin_forget >= 0:
            raise ValueError('need 0 < signin_delay <= signin_max_delay (finite) and signin_forget >= 0')


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
