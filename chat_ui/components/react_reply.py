"""Reactions and replies in the message pane: the payload parts, and the pane's handlers of their browser events.

`MessageList` (message_list.py) is one of these; message_list.js draws the chips, the picker, the quote of a reply
and the "Replying to" line above the composer.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.errors import ChatError
from services.models import Reaction, ReplyRef, User

log = logging.getLogger(__name__)


def reactions_payload(reactions: Iterable[Reaction]) -> list[dict[str, Any]]:
    """A message's reactions as pages show them (a chip each): [{emoji, count, user_ids, names}]."""
    return [{'emoji': r.emoji, 'count': r.count, 'user_ids': list(r.user_ids), 'names': list(r.names)}
            for r in reactions]


def reply_payload(ref: ReplyRef | None) -> dict[str, Any] | None:
    """The parent of a reply as pages show it: {seq, author, excerpt (plain text), deleted}; None: not a reply."""
    if ref is None:
        return None
    return {'seq': ref.seq, 'author': ref.author, 'excerpt': ref.excerpt, 'deleted': ref.deleted}


class ReactAndReply(ui.element):
    """The pane's handlers for "React" (and the chips), and for a reply's parent outside the window."""

    _services: Services
    _viewer: User
    _room_id: int

    async def _react(self, e: GenericEventArguments) -> None:
        # every open page of the room then changes the chip: ReactionChanged, one broadcast (bridge.py)
        from .message_list import _int_arg  # (message_list.py imports this module)

        emoji = e.args.get('emoji') if isinstance(e.args, dict) else None
        if not isinstance(emoji, str):
            return
        try:
            await self._services.reactions.toggle(self._viewer, self._room_id, _int_arg(e.args, 'seq'), emoji)
        except ChatError as error:
            ui.notification(str(error), type='negative')

    async def _refresh_reactions(self, first: int, last: int) -> None:
        """After a (re)connect: the reactions now of the messages the page shows (it may have missed changes)."""
        try:
            found = await self._services.reactions.between(self._viewer, self._room_id, first, last)
        except ChatError:
            return
        except Exception:
            log.exception('reading the reactions of room %s failed', self._room_id)
            return
        self.run_method('setReactions', [[seq, reactions_payload(r)] for seq, r in found.items()], first, last)

    async def _load_around(self, e: GenericEventArguments) -> None:
        # the parent of a reply outside the window: the page shows the messages around it (as a search result opens)
        from .message_list import _int_arg, message_payload  # (message_list.py imports this module)

        seq = _int_arg(e.args, 'seq')
        if not seq:
            return
        try:
            window = await self._services.messages.around(self._viewer, self._room_id, seq,
                                                          self._services.settings.history_page)
        except ChatError:
            return
        except Exception:
            log.exception('loading the messages around %s of room %s failed', seq, self._room_id)
            return
        has_older = bool(window) and window[0].seq > 1
        self.run_method('showAround', [message_payload(m) for m in window], has_older, seq)
