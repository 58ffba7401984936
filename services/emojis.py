"""Which emoji the chat knows: the `emoji` package's data (Unicode's list, kept current by its maintainers), shipped
with the package, nothing fetched at run time. Reactions accept exactly one fully-qualified emoji of it; the
picker (chat_ui) shows the same set, one entry per emoji without its skin-tone variants.
"""
from __future__ import annotations

import functools

import emoji as emoji_data

from .errors import ValidationError

MAX_LENGTH = 32  # characters: the longest sequences (families, kisses with skin tones) have about 10
NOT_AN_EMOJI = 'That is not an emoji'
_FULLY_QUALIFIED = emoji_data.STATUS['fully_qualified']


def validate(raw: object) -> str:
    """The emoji itself, or ValidationError 'That is not an emoji' for anything else (text, several emoji,
    an unqualified spelling such as a bare U+2764, a tone modifier alone)."""
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_LENGTH:
        raise ValidationError(NOT_AN_EMOJI)
    data = emoji_data.EMOJI_DATA.get(raw)
    if data is None or data.get('status') != _FULLY_QUALIFIED or _is_tone(raw):
        raise ValidationError(NOT_AN_EMOJI)
    return raw


def _is_tone(text: str) -> bool:
    """A skin-tone modifier on its own (a 'component', not something to react with)."""
    return len(text) == 1 and 0x1F3FB <= ord(text) <= 0x1F3FF


def _name(data: dict[str, object]) -> str:
    return str(data.get('en', '')).strip(':').replace('_', ' ')


@functools.cache
def picker() -> tuple[tuple[str, str], ...]:
    """(emoji, its English name and aliases, space-separated) for the picker: every fully-qualified emoji without
    a skin tone, in Unicode's version order (the old, familiar ones first), then by name."""
    chosen = []
    for text, data in emoji_data.EMOJI_DATA.items():
        if data.get('status') != _FULLY_QUALIFIED or any(0x1F3FB <= ord(c) <= 0x1F3FF for c in text):
            continue
        aliases = data.get('alias', [])
        names = [_name(data), *(str(a).strip(':').replace('_', ' ') for a in aliases if isinstance(a, str))]
        chosen.append((float(str(data.get('E', 99))), names[0], text, ' '.join(dict.fromkeys(names))))
    chosen.sort()
    return tuple((text, names) for _, _, text, names in chosen)
