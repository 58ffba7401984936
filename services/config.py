"""Settings, read once from CHAT_* environment variables. The only module that looks at os.environ."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
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


def _origins(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(',') if part.strip())


def _text(_name: str, raw: str) -> str | None:
    return raw.strip() or None


_ENV: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    'host': ('CHAT_HOST', lambda _n, raw: raw.strip() or '127.0.0.1'),
    'port': ('CHAT_PORT', _port),
    'data_dir': ('CHAT_DATA_DIR', lambda _n, raw: Path(raw.strip() or 'data')),
    'native': ('CHAT_NATIVE', _bool),
    'database_url': ('CHAT_DATABASE_URL', _text),
    'redis_url': ('CHAT_REDIS_URL', _text),
    'presence_grace': ('CHAT_PRESENCE_GRACE', _seconds),
    'away_after': ('CHAT_AWAY_AFTER', _seconds),
    'typing_ttl': ('CHAT_TYPING_TTL', _seconds),
    'allowed_origins': ('CHAT_ALLOWED_ORIGINS', _origins),
}


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = '127.0.0.1'
    port: int = 8080
    data_dir: Path = Path('data')
    native: bool = False
    database_url: str | None = None
    redis_url: str | None = None
    presence_grace: float = 10.0
    away_after: float = 300.0
    typing_ttl: float = 5.0
    history_page: int = 50
    max_message_length: int = 4000
    allowed_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Overrides from the command line bypass the env parsers: check the same limits here.
        if not 0 < self.port < 65536:
            raise ValueError(f'port must be between 1 and 65535 (got {self.port})')
        for name in ('presence_grace', 'away_after', 'typing_ttl'):
            value = getattr(self, name)
            if not 0 <= value < float('inf'):
                raise ValueError(f'{name} must be a finite number of seconds >= 0 (got {value})')
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
        values.update({k: v for k, v in overrides.items() if v is not None})
        if 'data_dir' in values:
            values['data_dir'] = Path(values['data_dir'])
        if 'allowed_origins' in values and isinstance(values['allowed_origins'], str):
            values['allowed_origins'] = _origins('allowed_origins', values['allowed_origins'])
        return replace(cls(), **values)
