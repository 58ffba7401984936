"""A simulated browser page: the element ids a real page reads from its HTML, and the events it sends.

The room page's HTML embeds its elements (NiceGUI's templates/index.html: `parseElements(String.raw`...`)`);
nicegui.js renders them and, for each listener, emits `event` messages on the page's socket:
`{id, client_id, listener_id, args: [JSON.stringify(arg), ...]}` after its `throttle()`.
The composer is found by its listeners, not by element ids, and a page without one fails loudly:
a UI change must not turn the bench into a benchmark of nothing.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RAW = 'parseElements(String.raw`'


class PageShapeError(RuntimeError):
    """The page lacks what the bench drives (the composer, the message list): the UI changed."""


def page_elements(html: str) -> dict[str, Any]:
    """The element dict a NiceGUI page embeds, unescaped as `parseElements` in templates/index.html does."""
    try:
        start = html.index(RAW) + len(RAW)
        raw = html[start:html.index('`)', start)]
    except ValueError:
        raise PageShapeError('no NiceGUI elements in the page (not a NiceGUI page?)') from None
    for a, b in (('&#36;', '$'), ('&#96;', '`'), ('&gt;', '>'), ('&lt;', '<'), ('&amp;', '&')):
        raw = raw.replace(a, b)
    elements: dict[str, Any] = json.loads(raw)
    return elements


@dataclass(frozen=True)
class ComposerIds:
    """The composer's element and listeners, as the page declares them (throttle values included)."""

    element: int
    value: str  # update:value, unthrottled: the text on every keystroke (NiceGUI's ValueElement)
    send: str  # keydown.enter with the js_handler that empties the field and emits the text
    typing: str  # update:value, throttled: "I am typing"
    typing_throttle: float
    typing_leading: bool
    typing_trailing: bool


@dataclass(frozen=True)
class MessageListIds:
    element: int
    older: str
    catchup: str
    last_seq: int


def find_composer(elements: dict[str, Any]) -> ComposerIds:
    for element_id, element in elements.items():
        events = element.get('events') or []
        send = [e for e in events if e['type'] == 'keydown' and 'enter' in e.get('keys', [])
                and 'emit(' in (e.get('js_handler') or '')]
        values = [e for e in events if e['type'] == 'update:value']
        value = [e for e in values if not e.get('throttle')]
        typing = [e for e in values if e.get('throttle')]
        if send and value and typing:
            t = typing[0]
            return ComposerIds(int(element_id), value[0]['listener_id'], send[0]['listener_id'], t['listener_id'],
                               float(t['throttle']), bool(t['leading_events']), bool(t['trailing_events']))
    raise PageShapeError('no composer in the room page (a textarea with an Enter listener whose js_handler emits the '
                         'text, a value listener and a throttled typing listener): the UI changed; fix bench/page.py')


def find_message_list(elements: dict[str, Any]) -> MessageListIds:
    for element_id, element in elements.items():
        props = element.get('props', {})
        if 'maxWindow' in props and 'roomId' in props:
            ids = {e['type']: e['listener_id'] for e in element.get('events', [])}
            if 'older' in ids and 'catchup' in ids:
                return MessageListIds(int(element_id), ids['older'], ids['catchup'], int(props['lastSeq']))
    raise PageShapeError('no message list (older/catchup listeners) in the room page: the UI changed')


def typing_label_id(elements: dict[str, Any]) -> str | None:
    for element_id, element in elements.items():
        if element.get('props', {}).get('data-testid') == 'typing':
            return element_id
    return None


class Throttle:
    """nicegui.js `throttle(callback, time, leading, trailing, id)` for one listener, on the asyncio loop."""

    def __init__(self, seconds: float, leading: bool, trailing: bool) -> None:
        self.seconds, self.leading, self.trailing = seconds, leading, trailing
        self._blocked = False
        self._pending: Callable[[], None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def __call__(self, callback: Callable[[], None]) -> None:
        if self.seconds <= 0:
            callback()
            return
        if self._blocked:
            if self.trailing:
                self._pending = callback
            return
        if self.leading:
            callback()
            self._pending = None
        elif self.trailing:
            self._pending = callback
        if self.leading or self.trailing:
            self._blocked = True
            self._timer = asyncio.get_running_loop().call_later(self.seconds, self._release)

    def _release(self) -> None:
        callback, self._pending, self._blocked, self._timer = self._pending, None, False, None
        if callback is not None:
            callback()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._blocked, self._pending, self._timer = False, None, None
