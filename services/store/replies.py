"""What a reply shows of the message it answers: the first line of its text, plain and short (store adapters)."""
from __future__ import annotations

import re

from ..models import Reaction, ReplyRef

EXCERPT = 100  # characters of the parent's first line a reply shows
_BLOCK = re.compile(r'^\s{0,3}(?:#{1,6}\s+|>\s*|[-*+]\s+|\d{1,9}[.)]\s+)+')
_INLINE = re.compile(r'\*\*|__|~~|`')


def excerpt(body: str) -> str:
    """The first non-blank line of a Markdown text without its block markers (#, >, -, 1.) and emphasis, whitespace
    collapsed, cut to EXCERPT characters (… then). Plain text: pages show it as text, never as HTML."""
    line = next((part for part in body.splitlines() if part.strip()), '')
    line = ' '.join(_INLINE.sub('', _BLOCK.sub('', line)).split())
    return line if len(line) <= EXCERPT else line[:EXCERPT - 1].rstrip() + '…'


def reply_ref(seq: int, author: str, body: str, deleted: bool) -> ReplyRef:
    """The reference a reply carries to its parent, as the parent is now."""
    return ReplyRef(seq=seq, author=author, excerpt='' if deleted else excerpt(body), deleted=deleted)


def aggregate(rows: list[tuple[str, int, str]]) -> tuple[Reaction, ...]:
    """(emoji, user id, username) rows in the order they were added → one Reaction per emoji, in order of first use."""
    found: dict[str, tuple[list[int], list[str]]] = {}
    for emoji, user_id, name in rows:
        ids, names = found.setdefault(emoji, ([], []))
        ids.append(user_id)
        names.append(name)
    return tuple(Reaction(emoji=emoji, count=len(ids), user_ids=tuple(ids), names=tuple(names))
                 for emoji, (ids, names) in found.items())
