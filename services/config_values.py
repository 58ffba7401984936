"""Parsers for CHAT_* values: each returns the value or raises ValueError naming the variable."""
from __future__ import annotations

_TRUE = {'1', 'true', 'yes', 'on'}
_FALSE = {'0', 'false', 'no', 'off', ''}


def bool_value(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f'{name} must be one of 1/0, true/false, yes/no, on/off (got {raw!r})')


def port_value(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f'{name} must be a whole number (got {raw!r})') from None
    if not 0 < value < 65536:
        raise ValueError(f'{name} must be between 1 and 65535 (got {value})')
    return value


def seconds_value(name: str, raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f'{name} must be a number of seconds (got {raw!r})') from None
    if not value >= 0 or value == float('inf'):
        raise ValueError(f'{name} must be a finite number of seconds >= 0 (got {raw!r})')
    return value


def count_value(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f'{name} must be a whole number (got {raw!r})') from None
    if value < 0:
        raise ValueError(f'{name} must be at least 0 (got {value})')
    return value


def origins_value(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(',') if part.strip())


WEBSOCKET_IMPLEMENTATIONS = ('websockets-sansio', 'wsproto', 'websockets')


def websocket_value(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in WEBSOCKET_IMPLEMENTATIONS:
        raise ValueError(f'{name} must be one of {", ".join(WEBSOCKET_IMPLEMENTATIONS)} (got {raw!r})')
    return value


def text_value(_name: str, raw: str) -> str | None:
    return raw.strip() or None
