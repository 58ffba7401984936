"""Who may do what in a conversation: the one table every service entry point asks.

A viewer's standing in a room is their role if they are a member (owner, moderator, member), else
`outsider`, or `banned`. The site's administrator (the first account, `User.is_admin`) has the rights of
their standing plus ADMIN's for that kind: the moderation of every public and private room, members or
not; never a direct message they are not part of (a DM is a private conversation, it has no moderators).

A refusal says as much as the viewer may know: in a private room or a direct message, an outsider or a
banned user gets exactly what a room that does not exist gives, NotFound('That room does not exist'),
whatever they asked, so nothing tells them it exists. Elsewhere it is a Forbidden with a sentence.

Target rules (whom an allowed action may hit) are here too: `check_target`. Print the table as Markdown
with `python -m services.policy`.
"""
from __future__ import annotations

from typing import Literal, get_args

from .errors import ChatError, Forbidden, NotFound
from .models import RoomKind, Standing

Action = Literal['read', 'post', 'typing', 'list_members', 'join', 'leave', 'invite', 'remove', 'ban', 'unban',
                 'set_topic', 'delete_own', 'delete_other', 'set_role', 'edit_own', 'react']
Who = Literal['owner', 'moderator', 'member', 'outsider', 'banned']
ACTIONS: tuple[Action, ...] = get_args(Action)
WHO: tuple[Who, ...] = get_args(Who)
KINDS: tuple[RoomKind, ...] = get_args(RoomKind)
HIDDEN: frozenset[RoomKind] = frozenset({'private', 'dm', 'group'})  # outsiders cannot tell these exist

# 'join' by a member and 'leave' by a non-member are allowed and change nothing (asking twice is no error).
_MEMBER: frozenset[Action] = frozenset({'read', 'post', 'typing', 'list_members', 'join', 'leave', 'delete_own',
                                        'edit_own', 'react'})  # react: the same rows as post (a reply is a post)
_MODERATE: frozenset[Action] = frozenset({'remove', 'ban', 'unban', 'set_topic', 'delete_other'})
_NOTHING: frozenset[Action] = frozenset()
_ROOM: dict[Who, frozenset[Action]] = {
    'owner': _MEMBER | _MODERATE | {'invite', 'set_role'},
    'moderator': _MEMBER | _MODERATE | {'invite'},
}

TABLE: dict[RoomKind, dict[Who, frozenset[Action]]] = {
    # anyone may find and join; members may add others (they could join anyway)
    'public': {**_ROOM, 'member': _MEMBER | {'invite'}, 'outsider': frozenset({'join', 'leave'}),
               'banned': frozenset({'leave'})},
    # members only; the owner and moderators choose who is in
    'private': {**_ROOM, 'member': _MEMBER, 'outsider': _NOTHING, 'banned': _NOTHING},
    # a 1:1 direct message: its two people, for good; nobody moderates it
    'dm': {'owner': _MEMBER - {'leave'}, 'moderator': _MEMBER - {'leave'}, 'member': _MEMBER - {'leave'},
           'outsider': _NOTHING, 'banned': _NOTHING},
    # a group direct message (3-8 people): any of them may add someone or leave
    'group': {'owner': _MEMBER | {'invite'}, 'moderator': _MEMBER | {'invite'}, 'member': _MEMBER | {'invite'},
              'outsider': _NOTHING, 'banned': _NOTHING},
}

# What the administrator may do on top of their standing, in any room of the kind.
_ADMIN_EXTRA: frozenset[Action] = frozenset({'read', 'list_members', 'join', 'invite', 'set_role'})
_ADMIN_ROOM = _ADMIN_EXTRA | _MODERATE
ADMIN: dict[RoomKind, frozenset[Action]] = {'public': _ADMIN_ROOM, 'private': _ADMIN_ROOM, 'dm': _NOTHING,
                                            'group': _NOTHING}

_IN_A_DM = 'That is not possible in a direct message'
_REFUSALS: dict[tuple[RoomKind | None, Action], str] = {
    ('private', 'invite'): 'Only the owner or a moderator can add people to this room',
    ('dm', 'invite'): 'Start a group conversation to add people to a direct message',
    ('dm', 'leave'): 'You cannot leave a direct message',
    (None, 'set_role'): 'Only the owner can name moderators',
    **{(kind, action): _IN_A_DM for kind in ('dm', 'group') for action in (*_MODERATE, 'set_role')},
}
_MODERATOR_ONLY = 'Only the owner or a moderator can do that'
_RANK: dict[Who, int] = {'owner': 3, 'moderator': 2, 'member': 1, 'outsider': 0, 'banned': 0}
_ADMIN_RANK = 4


def who(standing: Standing) -> Who:
    """The row of the table for a standing: the member's role, else banned or outsider."""
    if standing.role is not None:
        return standing.role
    return 'banned' if standing.banned else 'outsider'


def allowed(action: Action, kind: RoomKind, standing: Standing, is_admin: bool = False) -> bool:
    """Whether the table lets a viewer of this standing (and admin flag) do `action` in a room of `kind`."""
    return action in TABLE[kind][who(standing)] or (is_admin and action in ADMIN[kind])


def visible(kind: RoomKind, standing: Standing, is_admin: bool = False) -> bool:
    """Whether the viewer may know the room exists (a refusal may then say why)."""
    return kind not in HIDDEN or standing.role is not None or bool(is_admin and ADMIN[kind])


def refusal(action: Action, kind: RoomKind, standing: Standing, is_admin: bool = False) -> ChatError:
    """The error for a refused action: NotFound where the room must stay unknown, else a Forbidden that says why."""
    if not visible(kind, standing, is_admin):
        return NotFound('That room does not exist')
    if standing.role is None:
        return Forbidden('You are banned from this room' if standing.banned else 'You are not a member of this room')
    text = _REFUSALS.get((kind, action)) or _REFUSALS.get((None, action)) or _MODERATOR_ONLY
    return Forbidden(text)


def require(action: Action, kind: RoomKind, standing: Standing, is_admin: bool = False) -> None:
    """Return if allowed, else raise `refusal(...)`."""
    if not allowed(action, kind, standing, is_admin):
        raise refusal(action, kind, standing, is_admin)


def check_target(action: Literal['remove', 'ban', 'set_role'], actor: Standing, actor_is_admin: bool,
                 target: Standing, is_self: bool) -> None:
    """Whom a remove, ban or role change (already allowed by the table) may hit: never oneself, never the owner;
    a moderator only plain members and outsiders; the owner and the administrator also moderators."""
    if is_self:
        raise Forbidden('You cannot do that to yourself' if action != 'remove' else 'Leave the room instead')
    target_who = who(target)
    if target_who == 'owner':
        raise Forbidden("The room's owner cannot be removed, banned or given another role")
    rank = _ADMIN_RANK if actor_is_admin else _RANK[who(actor)]
    if _RANK[target_who] >= rank:
        raise Forbidden('Only the owner can remove or ban a moderator')


def _cell(kind: RoomKind, row: Who, yes: bool) -> str:
    if kind in ('dm', 'group') and row in ('owner', 'moderator'):
        return 'n/a'  # everyone in a direct message is a member
    return '✓' if yes else '—'


def markdown() -> str:
    """The table as Markdown: one table per kind, an action per row, a standing per column."""
    columns = [*WHO, 'administrator*']
    out = ['Who may do what (services/policy.py). ✓ allowed; — refused: NotFound("That room does not exist")',
           'for an outsider or banned user of a private room or direct message, else Forbidden with a sentence.',
           "Joining when already a member and leaving when not one are allowed and change nothing.",
           '*administrator: the site administrator who is not a member (a member administrator has both columns).',
           'In a direct message everyone is a member (n/a: no owner, no moderators).',
           '']
    for kind in KINDS:
        out += [f'### {kind}', '', '| action | ' + ' | '.join(columns) + ' |', '|---' * (len(columns) + 1) + '|']
        for action in ACTIONS:
            cells = [_cell(kind, w, action in TABLE[kind][w]) for w in WHO]
            cells.append(_cell(kind, 'outsider', allowed(action, kind, Standing(), is_admin=True)))
            out.append(f'| {action} | ' + ' | '.join(cells) + ' |')
        out.append('')
    out += ['Targets: nobody removes, bans or re-roles themselves or the owner; a moderator acts on members and',
            'outsiders only; the owner and the administrator also on moderators. Roles given: moderator or member.',
            'A banned user cannot join or be added until unbanned. A group has 3 to 8 people.']
    return '\n'.join(out)


if __name__ == '__main__':
    print(markdown())
