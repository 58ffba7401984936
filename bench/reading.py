"""Attention in a simulated tab: the message list's `read` event, as a visible, focused page sends it.

message_list.js `maybeRead()`: when the newest message is on screen in a visible, focused page, the page emits
`read` with `{seq}` (the newest seq shown), at most once a second: the first at once, later ones when a second
has passed since the last one (a timer), the newest seq then (the last one of a burst is sent). It sends
nothing for a room the viewer is not a member of (`lastRead` < 0) or a seq it already reported.

A tab counts what attention costs it: `chat:activity` frames (its drawer's other rooms), `chat:attn` frames
(the user's read positions) and `room.receipts` events (inside `chat:live` lists).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .page import PageShapeError
from .tabs import ChatTab, Receiver

READ_GAP = 1.0  # message_list.js: `(this.readAt || 0) + 1000 - Date.now()`
KINDS = ('msg', 'activity', 'attn', 'receipts')


@dataclass(frozen=True)
class ReadIds:
    element: int
    listener: str
    last_read: int  # the viewer's read position when the page was built; -1: not a member (no reads)


def find_read_listener(elements: dict[str, Any]) -> ReadIds:
    """The message list's `read` listener, found by its type on the element with the list's props."""
    for element_id, element in elements.items():
        props = element.get('props', {})
        if 'maxWindow' in props and 'roomId' in props:
            for event in element.get('events') or []:
                if event.get('type') == 'read':
                    return ReadIds(int(element_id), event['listener_id'], int(props.get('lastRead', -1)))
    raise PageShapeError('no `read` listener on the message list in the room page: the UI changed (attention); '
                         'fix bench/reading.py')


class ReadThrottle:
    """`maybeRead()` of message_list.js for one page: `offer(seq)` when a newer message is shown; `send(seq)` is
    called at most once per READ_GAP, the first at once, the newest seq of a burst when the gap has passed."""

    def __init__(self, last_read: int, send: Callable[[int], None], clock: Callable[[], float] = time.monotonic,
                 gap: float = READ_GAP) -> None:
        self.last_read, self.send, self.clock, self.gap = last_read, send, clock, gap
        self.newest = 0  # the newest seq shown
        self.sent = 0  # readSent
        self.at: float | None = None  # readAt
        self._timer: asyncio.TimerHandle | None = None

    def offer(self, seq: int) -> None:
        self.newest = max(self.newest, seq)
        self.maybe()

    def maybe(self) -> None:
        if self.last_read < 0 or self.newest <= (self.sent or self.last_read):
            return
        wait = (self.at + self.gap - self.clock()) if self.at is not None else 0.0
        if wait > 0:
            if self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(wait, self._fire)
            return
        self.sent, self.at = self.newest, self.clock()
        self.send(self.newest)

    def _fire(self) -> None:
        self._timer = None
        self.maybe()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def count_live(events: Any) -> int:
    """The `room.receipts` events in one `chat:live` frame (a list of wire events, or one)."""
    return sum(1 for e in (events if isinstance(events, list) else [events])
               if isinstance(e, dict) and e.get('type') == 'room.receipts')


def newest_seq(data: Any, room_id: int) -> int:
    """The newest seq of a `chat:msg` frame (a message payload, or a list of them) of the room; 0 if none."""
    return max((int(p['seq']) for p in (data if isinstance(data, list) else [data])
                if isinstance(p, dict) and p.get('room_id') == room_id and isinstance(p.get('seq'), int)), default=0)


class AttentiveTab(ChatTab):
    """A room page in a visible, focused window: it reads what arrives (`reads=False`: the page before attention,
    it never says so) and counts the frames of each kind it receives."""

    def __init__(self, base: str, session: aiohttp.ClientSession, on_msg: Receiver, *, reads: bool = True) -> None:
        super().__init__(base, session, on_msg)
        self.reads = reads
        self.frames = dict.fromkeys(KINDS, 0)
        self.reads_sent = 0
        self._read: ReadIds | None = None
        self._reader: ReadThrottle | None = None
        self.more_events = {'chat:activity': self._on_activity, 'chat:attn': self._on_attn}

    async def open(self, room_id: int) -> None:
        receiver = self.on_msg
        self.on_msg = lambda data: self._on_chat_msg(receiver, data)
        await super().open(room_id)

    def on_page(self, elements: dict[str, Any]) -> None:
        self._read = find_read_listener(elements)
        self._reader = ReadThrottle(self._read.last_read, self._send_read)

    def _on_chat_msg(self, receiver: Receiver, data: Any) -> None:
        receiver(data)
        self.frames['msg'] += 1
        if self.reads and self._reader is not None and self.ready_at and not self._closing:
            if seq := newest_seq(data, self.room_id):
                self._reader.offer(seq)

    def _send_read(self, seq: int) -> None:
        assert self._read is not None
        self.reads_sent += 1
        self._emit(self._read.element, self._read.listener, {'seq': seq})

    def _on_activity(self, _data: Any) -> None:
        self.frames['activity'] += 1

    def _on_attn(self, _data: Any) -> None:
        self.frames['attn'] += 1

    def _on_live(self, events: Any) -> None:
        super()._on_live(events)
        self.frames['receipts'] += count_live(events)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await super().close()
