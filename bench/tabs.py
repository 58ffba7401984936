"""Simulated browser tabs: a signed-in room page of the chat, and a socket of the baseline.

A chat tab sends what nicegui.js sends for a person at the keyboard: on each keystroke the composer's
value event (unthrottled) and, through the page's own throttle, its typing event; on Enter the composer's
js_handler emits the text, then the emptied field's value event follows (a Vue watcher, a tick later).
It answers the message list's `sync` with `catchup` as message_list.js does, and loads older history with
the `older` event. A baseline tab "types" with a typing event behind the same throttle and sends `send`.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
import socketio
from yarl import URL

from .clients import connect_page, extract_client_id
from .page import (
    ComposerIds,
    MessageListIds,
    Throttle,
    find_composer,
    find_message_list,
    page_elements,
    typing_label_id,
)

Receiver = Callable[[Any], None]
COMPOSER_THROTTLE = (2.0, True, True)  # the baseline's typing throttle: the composer's (read from the page)


class ChatTab:
    """One open room page of a signed-in user (the aiohttp session holds the sign-in cookie)."""

    def __init__(self, base: str, session: aiohttp.ClientSession, on_msg: Receiver) -> None:
        self.base, self.session, self.on_msg = base, session, on_msg
        self.sio: socketio.AsyncClient | None = None
        self.client_id = ''
        self.room_id = 0
        self.typing_updates = 0  # updates of the typing line received (what other people's typing costs)
        self.typing_sent = 0  # typing events this tab sent while its field held text
        self.ready_at = 0.0  # when the server put the socket in the room's broadcast (it then asks for `sync`)
        self.server_errors = 0  # page loads answered 500 (a person sees an error page and reloads)
        self.disconnected = False
        self._closing = False
        self._composer: ComposerIds | None = None
        self._list: MessageListIds | None = None
        self._typing_label: str | None = None
        self._throttle: Throttle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._value = ''
        self.more_events: dict[str, Receiver] = {}  # more Socket.IO events to listen to (bench/reading.py)

    @property
    def composer(self) -> ComposerIds:
        assert self._composer is not None
        return self._composer

    async def open(self, room_id: int) -> None:
        """GET /room/<id> like a browser (NiceGUI answers 500 when a build takes over 3 s: retry), then connect."""
        for attempt in range(3):
            async with self.session.get(f'{self.base}/room/{room_id}', allow_redirects=False) as r:
                if r.status == 200:
                    html = await r.text()
                    break
                if r.status != 500 or attempt == 2:
                    raise RuntimeError(f'GET /room/{room_id}: {r.status}')
                self.server_errors += 1
        elements = page_elements(html)
        self.client_id, self.room_id = extract_client_id(html), room_id
        self._composer, self._list = find_composer(elements), find_message_list(elements)
        self._typing_label = typing_label_id(elements)
        self.on_page(elements)
        self._throttle = Throttle(self.composer.typing_throttle, self.composer.typing_leading,
                                  self.composer.typing_trailing)
        cookies = '; '.join(f'{c.key}={c.value}' for c in self.session.cookie_jar)
        self.sio = await connect_page(self.base, self.client_id, cookies, self.on_msg, self._on_js, self._on_update,
                                      self._on_live, more=self.more_events)
        self.sio.on('disconnect', self._on_disconnect)

    def on_page(self, elements: dict[str, Any]) -> None:
        """What else a tab reads from the page's elements (bench/reading.py: the `read` listener)."""

    def _on_disconnect(self, *_: Any) -> None:
        if not self._closing:
            self.disconnected = True

    def _on_js(self, msg: Any) -> None:
        code = str(msg.get('code', '')) if isinstance(msg, dict) else ''
        if self._list is not None and f'runMethod({self._list.element}, "sync"' in code:
            self.ready_at = self.ready_at or time.time()
            self._emit(self._list.element, self._list.catchup, {'after': self._list.last_seq})

    def _on_update(self, msg: Any) -> None:
        if self._typing_label is not None and isinstance(msg, dict) and self._typing_label in msg:
            self.typing_updates += 1

    def _on_live(self, events: Any) -> None:
        for event in events if isinstance(events, list) else [events]:
            if isinstance(event, dict) and event.get('type') == 'typing.changed':
                self.typing_updates += 1

    def _emit(self, element: int, listener: str, *args: Any) -> None:
        """Emit an element event as nicegui.js does; in order (each emit is queued at once by the client)."""
        if self.sio is None:
            return
        task = asyncio.ensure_future(self.sio.emit('event', {
            'id': element, 'client_id': self.client_id, 'listener_id': listener,
            'args': [json.dumps(a) for a in args]}))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _typed(self, value: str) -> None:
        c = self.composer
        self._value = value
        self._emit(c.element, c.value, value)
        assert self._throttle is not None
        self._throttle(self._typing)

    def _typing(self) -> None:
        self.typing_sent += bool(self._value)
        self._emit(self.composer.element, self.composer.typing)  # args=[]: the listener sends none

    async def type(self, text: str, seconds: float = 0.0) -> None:
        """Type `text` key by key, spread over `seconds` (0: as fast as the event loop goes)."""
        gap = seconds / max(1, len(text))
        for i in range(1, len(text) + 1):
            self._typed(text[:i])
            await asyncio.sleep(gap)

    def enter(self, text: str) -> float:
        """Press Enter: the js_handler puts the text in the page's outbox under a client id it makes and emits
        both (chat_ui/components/composer.py); the emptied field's value follows; the send time."""
        sent = time.time()
        self._emit(self.composer.element, self.composer.send, {'text': text, 'cid': uuid.uuid4().hex})
        self._typed('')
        return sent

    def older(self, before: int | None = None) -> None:
        """Scroll to the top of the message list: ask for the page before `before` (default: the oldest shown)."""
        assert self._list is not None
        start = before if before is not None else max(1, self._list.last_seq - 49)
        self._emit(self._list.element, self._list.older, {'before': start})

    async def close(self) -> None:
        self._closing = True
        if self._throttle is not None:
            self._throttle.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.sio is not None:
            await self.sio.disconnect()


async def sign_in(base: str, username: str, password: str, pin: str = '') -> aiohttp.ClientSession:
    """A signed-in browser session; `pin`: a `chat_node` cookie that makes nginx route it to one instance."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), cookie_jar=aiohttp.CookieJar(unsafe=True))
    if pin:
        session.cookie_jar.update_cookies({'chat_node': pin}, URL(base))
    try:
        async with session.post(f'{base}/api/session', json={'username': username, 'password': password}) as r:
            if r.status != 204:
                raise RuntimeError(f'sign-in of {username} failed: {r.status}')
    except BaseException:
        await session.close()
        raise
    return session


class BaselineTab:
    """A socket of the baseline in a room: the same sends and a typing event behind the composer's throttle."""

    def __init__(self, base: str, on_msg: Receiver) -> None:
        self.base, self.on_msg = base, on_msg
        self.sio = socketio.AsyncClient(reconnection=False)
        self.room = ''
        self.typing_updates = 0
        self.typing_sent = 0
        self.disconnected = False
        self._closing = False
        self._throttle = Throttle(*COMPOSER_THROTTLE)
        self._value = ''  # the text in the field: a late (trailing) typing event for a sent text says nothing
        self._tasks: set[asyncio.Task[Any]] = set()

    async def open(self, room_id: int) -> None:
        self.sio.on('chat:msg', self.on_msg)
        self.sio.on('chat:typing', self._on_typing)
        self.sio.on('disconnect', self._on_disconnect)
        self.room = str(room_id)
        await self.sio.connect(self.base, transports=['websocket'], wait_timeout=30)
        await self.sio.call('join', self.room, timeout=30)

    def _on_typing(self, _data: Any) -> None:
        self.typing_updates += 1

    def _on_disconnect(self, *_: Any) -> None:
        if not self._closing:
            self.disconnected = True

    def _emit(self, event: str, data: Any) -> None:
        task = asyncio.ensure_future(self.sio.emit(event, data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def type(self, text: str, seconds: float = 0.0) -> None:
        gap = seconds / max(1, len(text))
        for i in range(1, len(text) + 1):
            self._value = text[:i]
            self._throttle(self._typing)
            await asyncio.sleep(gap)

    def _typing(self) -> None:
        if self._value:  # as the composer's handler checks the field's value
            self.typing_sent += 1
            self._emit('typing', self.room)

    def enter(self, text: str) -> float:
        sent = time.time()
        self._value = ''
        self._emit('send', {'room': self.room, 'body': text})
        return sent

    def older(self, before: int | None = None) -> None:
        """The baseline keeps no history."""

    async def close(self) -> None:
        self._closing = True
        self._throttle.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.sio.disconnect()
