"""The history a room page opens with: the latest messages, or (`/room/<id>?seq=N`, a search result's link) the
messages around message N, which the page then scrolls to and marks (message_list.js, `focusOn`), or, when the
viewer has unread messages older than the latest page, the messages around the first unread one (the page starts
at its "New messages" divider)."""
from __future__ import annotations

from dataclasses import dataclass

from services.bootstrap import Services
from services.models import Message, ReadState, User
from services.validation import MAX_SEQ


@dataclass(frozen=True, slots=True)
class Opening:
    history: list[Message]
    focus: int  # the seq to show and mark; 0: none (the page opens at the newest message)
    last_seq: int  # the room's newest seq when the page was built (the window may end before it)


def focus_seq(raw: str | None) -> int:
    """The `seq` query parameter as a message number; anything else (a hand-edited link) opens the latest."""
    text = (raw or '').strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_SEQ))):  # int('9' * 5000) raises
        return 0
    return int(text) if 0 < int(text) <= MAX_SEQ else 0


async def opening(services: Services, user: User, room_id: int, seq: str | None = None,
                  read: ReadState | None = None) -> Opening:
    """The first history of a room page; ChatError as `Messages.latest` raises it."""
    size = services.settings.history_page
    focus = focus_seq(seq)
    if not focus:
        history = await services.messages.latest(user, room_id, size)
        first_unread = read.last_read_seq + 1 if read is not None and read.unread else 0
        if not history or not 0 < first_unread < history[0].seq:
            return Opening(history, 0, history[-1].seq if history else 0)
        last = history[-1].seq
        # the first unread one near the top of the window, under a few of those read before it
        history = await services.messages.around(user, room_id, first_unread + size // 2 - 5, size)
        return Opening(history, 0, max([last] + [m.seq for m in history]))
    history = await services.messages.around(user, room_id, focus, size)
    newest = await services.messages.latest(user, room_id, 1)  # read after the window: it is at least its end
    last = max([m.seq for m in history + newest], default=0)
    return Opening(history, focus, last)
