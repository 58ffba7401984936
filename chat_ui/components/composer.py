"""The composer: Enter sends, Shift+Enter makes a new line, a counter appears near the limit."""
from __future__ import annotations

import asyncio
import logging
import uuid

from nicegui import ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User

log = logging.getLogger(__name__)
COUNTER_FROM = 0.9  # show the counter from 90 % of the limit


class Composer:
    def __init__(self, services: Services, user: User, room_id: int) -> None:
        self._services = services
        self._user = user
        self._room_id = room_id
        self._client_id = uuid.uuid4().hex  # the same id until the send succeeds: a retry never duplicates
        self._order = asyncio.Lock()  # one composer's messages are posted in the order they were sent
        self._limit = services.settings.max_message_length
        with ui.row().classes('w-full items-start gap-2 no-wrap px-2 pb-2'):
            # errors and the counter are the field's own error-message and hint: no extra elements per page
            self.input = ui.textarea(placeholder='Message').props(
                'aria-label=Message outlined dense autogrow rows=1 bottom-slots input-style="max-height: 30vh"',
            ).classes('grow min-w-0').without_auto_validation()
            ui.button('Send', icon='send', on_click=lambda: self.send()).props('unelevated no-caps').classes('mt-1')
        self.input.on_value_change(self._count)
        # Enter empties the field in the browser at once and sends the text with the event: clearing it from
        # the server a round trip later would eat what a fast typist already typed of the next message.
        # While disconnected nothing is sent and the text stays, visibly unsent (kept over a reload as a draft).
        self.input.on('keydown.enter.exact.prevent', self._send_typed, js_handler='''(e) => {
            if (!window.socket || !window.socket.connected) return;
            const text = e.target.value;
            e.target.value = '';
            e.target.dispatchEvent(new Event('input', {bubbles: true}));
            emit(text);
        }''')
        # typing is what changes the text (Enter that sends does not): at most one event every 2 s, the last
        # keystroke of a window included (so typing right after a send still shows)
        self.input.on('update:value', self._typing, args=[], throttle=2.0,
                      leading_events=True, trailing_events=True)

    async def _send_typed(self, e: GenericEventArguments) -> None:
        await self.send(e.args if isinstance(e.args, str) else '')

    async def send(self, typed: str | None = None) -> None:
        """Take the text at once (so the next message can be typed), then post in order.

        On failure the text comes back into the composer with its client id, so pressing Send again
        retries the same message and can never store it twice.
        """
        body, client_id = (self.input.value or '') if typed is None else typed, self._client_id
        if typed is None:
            self.input.set_value('')
        self._client_id = uuid.uuid4().hex
        async with self._order:
            try:
                await self._services.messages.post(self._user, self._room_id, body, client_id)
            except ChatError as e:
                self._give_back(body, client_id, str(e))
                return
            except Exception:
                log.exception('sending a message failed')
                self._give_back(body, client_id, 'Not sent: the server could not store it. Press Send to retry.')
                return
        self._show_error('')
        await self._services.presence.activity(self._user.id)

    def _show_error(self, reason: str) -> None:
        if (reason or None) != self.input.error:
            self.input.error = reason or None

    def _count(self) -> None:
        n = len(self.input.value or '')
        hint = f'{n:,} / {self._limit:,}' if n >= COUNTER_FROM * self._limit else None
        if self.input.props.get('hint') != hint:
            if hint is None:
                self.input.props.pop('hint', None)
            else:
                self.input.props['hint'] = hint
            self.input.update()

    def _give_back(self, body: str, client_id: str, reason: str) -> None:
        self._show_error(reason)
        if not (self.input.value or '').strip():
            self.input.set_value(body)
            self._client_id = client_id

    async def _typing(self) -> None:
        if not (self.input.value or '').strip():
            return  # a late event for text that was sent (or erased) meanwhile: nobody is typing
        try:
            await self._services.typing.started(self._user, self._room_id)
        except ChatError:  # a stale page (its viewer left the room elsewhere): typing is best-effort
            return
        except Exception:
            log.exception('publishing typing in room %s failed', self._room_id)
            return
        await self._services.presence.activity(self._user.id)
