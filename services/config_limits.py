"""The per-process rate limits of services/config.py: their variables (CHAT_*_BURST, CHAT_*_EVERY ...) and rules."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .config_values import bool_value as _bool
from .config_values import count_value as _count
from .config_values import seconds_value as _seconds

# RateLimits field -> variable. Each "burst, then one every N s" limit is a token bucket (services/ratelimit.py).
LIMITS_ENV: dict[str, tuple[str, Callable[[str, str], Any]]] = {
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


def limits(values: Mapping[str, Any]) -> RateLimits:
    """RateLimits from parsed variables; a broken rule is reported with the variables' names."""
    try:
        return RateLimits(**values)
    except ValueError as e:
        raise ValueError(re.sub(r'[a-z_]+', lambda m: LIMITS_ENV.get(m.group(), (m.group(),))[0], str(e))) from None
