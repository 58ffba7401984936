"""Mentions: `@name` notifies a member of the conversation, `@room` every member but the author.

`candidates(text)` finds the names written (outside code); `resolve` keeps those that are members of the room
(lower name -> the user ids it notifies; the author's own name notifies nobody), and applies the @room rule: in a
room of more than ROOM_MENTION_MAX members only its owner, moderators and the site administrator may notify
everyone (direct messages and groups: everyone may). The Markdown renderer turns the resolved names into mention
spans (services/formatting.py) and `notified` reads back which of them it rendered, so the users notified are
exactly the spans shown (a name inside a link or code notifies nobody).
"""
from __future__ import annotations

import re

from .access import authorize
from .errors import Forbidden
from .formatting import ALL, MENTION
from .models import User
from .store.base import Store

ROOM_MENTION_MAX = 20  # a room larger than this: @room is for its owner, moderators and the administrator
MAX_CANDIDATES = 100  # names looked up per message at most (a hostile text could hold a thousand)
ROOM_MENTION_REFUSED = 'Only owners and moderators can notify everyone with @room in a room of more than 20 members'
_CODE = re.compile(r'```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`', re.DOTALL)  # fenced blocks, inline code
_RENDERED = re.compile(r'data-user="([a-z0-9_.\-]+)"')

Resolved = dict[str, tuple[int, ...]]  # lower name (or 'room') -> the user ids it notifies


def candidates(text: str) -> set[str]:
    """The lower-cased usernames written as @name (not after a word character, so no e-mail address; not in
    inline code or code blocks), each also without trailing punctuation; 'room' for @room."""
    names: set[str] = set()
    for match in MENTION.finditer(_CODE.sub(' ', text)):
        word = match.group(1).lower()
        for name in dict.fromkeys((word, word.rstrip('.-_'))):
            if 3 <= len(name) <= 32:
                names.add(name)
        if len(names) >= MAX_CANDIDATES:
            break
    return names


async def resolve(store: Store, user: User, room_id: int, text: str, *, strict: bool = True) -> Resolved:
    """The names of `text` that mention someone in the room. @room past the rule: Forbidden when `strict` (a new
    message: nothing is posted), else left as plain text (an edit re-renders; it notifies nobody anyway)."""
    if '@' not in text:
        return {}
    names = candidates(text)
    if not names:
        return {}
    found: Resolved = {}
    if ALL in names:
        access = await authorize(store, user, room_id, 'post')
        room, role = access.room, access.standing.role
        large = room.kind in ('public', 'private') and room.member_count > ROOM_MENTION_MAX
        if not large or role in ('owner', 'moderator') or user.is_admin:
            found[ALL] = tuple(m.id for m in await store.members(room.id) if m.id != user.id)
        elif strict:
            raise Forbidden(ROOM_MENTION_REFUSED)
    for name, user_id in (await store.members_named(room_id, names - {ALL})).items():
        found[name] = () if user_id == user.id else (user_id,)  # one's own name notifies nobody
    return found


def notified(html: str, resolved: Resolved) -> tuple[int, ...]:
    """The users the rendered mentions of `html` notify, each once, in the order they appear."""
    if not resolved:
        return ()
    ids: dict[int, None] = {}
    for name in _RENDERED.findall(html):
        ids.update(dict.fromkeys(resolved.get(name, ())))
    return tuple(ids)
