"""Input rules. Each check returns the cleaned value or raises ValidationError with a sentence for the user.

Cheap before expensive: every check looks at the raw length first (C speed), so a hostile megabyte costs
one comparison, and only text within its limit is looked at character by character.
"""
from __future__ import annotations

import re
import unicodedata

from .errors import ValidationError

_NAME = re.compile(r'[a-z0-9_.\-]{3,32}')
_NAME_ENDS = re.compile(r'[a-z0-9](?:.*[a-z0-9])?', re.DOTALL)
_CLIENT_ID = re.compile(r'[A-Za-z0-9_\-]{1,64}')
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
MAX_TOPIC = 200
NOT_ALLOWED = 'Message contains characters that are not allowed.'
# Control characters (category Cc) but newline and tab: deleted from messages by one str.translate.
_DROP_CONTROLS = {c: None for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if chr(c) not in '\n\t'}
# Letters that render as nothing (Hangul fillers): a message or topic of only these looks empty.
_BLANK_LETTERS = frozenset('\u115f\u1160\u3164\uffa0')
_JOINERS = frozenset('\u200c\u200d')  # ZWNJ / ZWJ: needed inside words (Persian, Indic) and emoji sequences
_VISIBLE_NEIGHBOUR = ('L', 'M', 'N', 'S')  # category initials a joiner may sit between


def _invisible(ch: str) -> bool:
    """Format characters (Cf: zero-width space, joiners, BOM, word joiner, tags ...) and blank letters."""
    return unicodedata.category(ch) == 'Cf' or ch in _BLANK_LETTERS


def _name(raw: object, what: str) -> str:
    if not isinstance(raw, str):
        raise ValidationError(f'{what} must be text.')
    name = raw.strip().lower()
    if len(name) < 3:
        raise ValidationError(f'{what} must be at least 3 characters.')
    if len(name) > 32:
        raise ValidationError(f'{what} must be at most 32 characters.')
    if not _NAME.fullmatch(name):
        raise ValidationError(f'{what} may only contain letters a-z, digits, "_", "-" and ".".')
    return name


def username(raw: object) -> str:
    """3-32 characters of a-z 0-9 _ - . after stripping and lowercasing."""
    return _name(raw, 'Username')


RESERVED_USERNAMES = frozenset({'room'})  # @room notifies everyone in a conversation (services/mentions.py)


def new_username(raw: object) -> str:
    """A username for a new account: the username rules, and not a reserved word."""
    name = username(raw)
    if name in RESERVED_USERNAMES:
        raise ValidationError(f'"{name}" is reserved: choose another username.')
    return name


def room_name(raw: object) -> str:
    """The username rules, and it starts and ends with a letter or digit (`general.` or `...` are refused)."""
    name = _name(raw, 'Room name')
    if not _NAME_ENDS.fullmatch(name):
        raise ValidationError('Room name must start and end with a letter or digit.')
    return name


def password(raw: object) -> str:
    """8-256 characters, kept exactly as typed."""
    if not isinstance(raw, str):
        raise ValidationError('Password must be text.')
    if len(raw) < 8:
        raise ValidationError('Password must be at least 8 characters.')
    if len(raw) > 256:
        raise ValidationError('Password must be at most 256 characters.')
    return raw


def topic(raw: object) -> str:
    """One line of at most 200 characters, without control, bidi or other invisible characters.

    Invisible format characters (Unicode category Cf: U+200B, U+200E/F, U+061C, U+FEFF, tag characters
    E0000-E007F ...) are refused: they hide text or reorder it in every member's header. The one exception
    is a joiner (U+200C, U+200D) between two visible characters, which emoji sequences (👩‍💻) and Persian
    or Indic words need. Variation selectors (category Mn) stay allowed. Tag characters are refused even
    though the England, Scotland and Wales flags use them: they can carry invisible ASCII text.
    """
    if not isinstance(raw, str):
        raise ValidationError('Topic must be text.')
    if len(raw) > 4 * MAX_TOPIC:  # surrounding spaces are stripped below, but not a megabyte of them
        raise ValidationError(f'Topic is too long ({len(raw):,} of {MAX_TOPIC:,} characters).')
    text = raw.strip()
    if any(ch in '\r\n' for ch in text):
        raise ValidationError('Topic must be a single line.')
    if len(text) > MAX_TOPIC:
        raise ValidationError(f'Topic is too long ({len(text):,} of {MAX_TOPIC:,} characters).')
    if not _encodable(text) or any(
            unicodedata.category(ch) == 'Cc' or ch in _BIDI or (_invisible(ch) and not _joins(text, i))
            for i, ch in enumerate(text)):
        raise ValidationError('Topic contains characters that are not allowed.')
    return text


def _joins(text: str, i: int) -> bool:
    """Whether text[i] is a joiner between two visible characters."""
    if text[i] not in _JOINERS or not 0 < i < len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    return all(unicodedata.category(ch)[0] in _VISIBLE_NEIGHBOUR and not _invisible(ch) for ch in (before, after))


def _encodable(text: str) -> bool:
    """False for lone UTF-16 surrogates (JSON can carry "\\ud800"): no database or browser can store them."""
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return False
    return True


def message_body(raw: object, max_length: int) -> str:
    """Normalise newlines, drop control characters (but \\n and \\t), refuse empty or over-long text.

    Lengths first, on the raw text (C speed): only text within the limit is looked at per character.
    Text made only of spaces and invisible characters (zero-width space, joiners, BOM, tags ...) is empty.
    """
    if not isinstance(raw, str):
        raise ValidationError('Message must be text.')
    if len(raw) > 2 * max_length:  # even if every character were half of a \r\n pair, it is too long
        raise ValidationError(f'Message is too long ({len(raw):,} of {max_length:,} characters)')
    text = raw.replace('\r\n', '\n').replace('\r', '\n')
    if len(text) > max_length:
        raise ValidationError(f'Message is too long ({len(text):,} of {max_length:,} characters)')
    if not _encodable(text):
        raise ValidationError(NOT_ALLOWED)
    text = text.translate(_DROP_CONTROLS)
    if all(ch.isspace() or _invisible(ch) for ch in text):
        raise ValidationError('Message is empty')
    return text


def client_id(raw: object) -> str:
    """1-64 characters of A-Z a-z 0-9 _ - (generated by the page, not typed by a person)."""
    if not isinstance(raw, str) or not _CLIENT_ID.fullmatch(raw):
        raise ValidationError('The message id is invalid; please reload the page.')
    return raw


MAX_SEQ = 2**31 - 1  # the seq column is a 32-bit INTEGER


def seq(raw: object, what: str = 'Sequence number') -> int:
    """A message sequence number: an int in 0..2**31-1, the column's range (bools are not numbers here)."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_SEQ:
        raise ValidationError(f'{what} must be a whole number from 0 to {MAX_SEQ:,}.')
    return raw


def limit(raw: object, maximum: int = 200) -> int:
    """Clamp a page size to 1..maximum."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationError('Page size must be a whole number.')
    return max(1, min(maximum, raw))
