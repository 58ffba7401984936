"""The composer: Enter sends, Shift+Enter makes a new line, a counter appears near the limit."""
from __future__ import annotations

import asyncio
import logging
import re
import uuid

from nicegui import ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User

log = logging.getLogger(__name__)
COUNTER_FROM = 0.9  # show the counter from 90 % of the limit
_CLIENT_ID = re.compile(r'[0-9a-f]{24,32}')  # what the outbox (message_list.js) or uuid4().hex makes
_FIELD = 'document.querySelector(\'textarea[aria-label="Message"]\')'
# %s: the textarea. Nothing is sent while disconnected, nor an empty text (the field says nothing then).
_SEND_JS = '''(e) => {
    const box = %s;
    if (!box || !window.socket || !window.socket.connected || !box.value.trim()) return;
    const text = box.value;
    const cid = window.chatOutbox ? window.chatOutbox.add(text) : '';
    const reply_to = window.chatReply ? window.chatReply.take() : 0;  // "Reply" (message_list.js)
    box.value = '';
    box.dispatchEvent(new Event('input', {bubbles: true}));
    emit({text, cid, reply_to});
}'''


class Composer:
    def __init__(self, services: Services, user: User, room_id: int) -> None:
        self._services = services
        self._user = user
        self._room_id = room_id
        self._order = asyncio.Lock()  # one composer's messages are posted in the order they were sent
        self._limit = services.settings.max_message_length
        # errors and the counter are the field's own error-message and hint, the Send button sits in its "after"
        # slot: no extra elements per page
        self.input = ui.textarea(placeholder='Message').props(
            'aria-label=Message outlined dense autogrow rows=1 bottom-slots input-style="max-height: 30vh" '
            'maxlength=8000',
        ).classes('w-full min-w-0 px-2').without_auto_validation()
        with self.input.add_slot('after'):
            send = ui.button('Send', icon='send').props('unelevated no-caps')
        self.input.on_value_change(self._count)
        # Enter (or Send) empties the field in the browser at once and sends the text with the event: clearing it
        # from the server a round trip later would eat what a fast typist already typed of the next message. The
        # text first goes into the page's outbox with the client id it is posted under (message_list.js), so a
        # message whose server died before storing it comes back into the composer after the reload, under the
        # same id. While disconnected nothing is sent and the text stays, visibly unsent (kept as a draft).
        self.input.on('keydown.enter.exact.prevent', self._send_typed, js_handler=_SEND_JS % 'e.target')
        send.on('click', self._send_typed, js_handler=_SEND_JS % _FIELD)
        # typing is what changes the text (Enter that sends does not): at most one event every 2 s, the last
        # keystroke of a window included (so typing right after a send still shows)
        self.input.on('update:value', self._typing, args=[], throttle=2.0,
                      leading_events=True, trailing_events=True)

    async def _send_typed(self, e: GenericEventArguments) -> None:
        args = e.args if isinstance(e.args, dict) else {}
        text, cid = args.get('text'), args.get('cid')
        if not isinstance(text, str):  # not our page's script (NiceGUI's simulated User, a crafted event)
            await self.send()  # what the field holds on the server
            return
        reply = args.get('reply_to')  # the seq of the message it answers (0: none); the service checks it
        reply_to = reply if isinstance(reply, int) and not isinstance(reply, bool) and reply > 0 else None
        await self.send(text, cid if isinstance(cid, str) else None, reply_to=reply_to)

    async def send(self, typed: str | None = None, client_id: str | None = None, *,
                   reply_to: int | None = None) -> None:
        """Post what was typed (or the field's text), in the order sent.

        The browser sends the text with the client id it put in its outbox; on failure the text comes back
        into the composer and the id into the outbox's resend list, so sending it again retries the same
        message and can never store it twice.
        """
        body = (self.input.value or '') if typed is None else typed
        if typed is None:
            self.input.set_value('')
        if client_id is None or not _CLIENT_ID.fullmatch(client_id):
            client_id = uuid.uuid4().hex
        async with self._order:
            try:
                await self._services.messages.post(self._user, self._room_id, body, client_id, reply_to=reply_to)
            except ChatError as e:
                self._give_back(body, client_id, str(e), reply_to=reply_to)
                return
            except Exception:
                log.exception('sending a message failed')
                self._give_back(body, client_id, 'Not sent: the server could not store it. Press Send to retry.',
                                reply_to=reply_to)
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

    def _give_back(self, body: str, client_id: str, reason: str, *, reply_to: int | None = None) -> None:
        self._show_error(reason)
        if not (self.input.value or '').strip():
            self.input.set_value(body)
            # out of the outbox (it is in the composer now), remembered for a resend of the same text
            self.input.client.run_javascript(f'window.chatOutbox && window.chatOutbox.giveBack({client_id!r})')
            if reply_to is not None:  # quoted again, unless its parent is gone
                self.input.client.run_javascript(f'window.chatReply && window.chatReply.restore({int(reply_to)})')

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
