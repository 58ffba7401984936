"""The composer: Enter sends, Shift+Enter makes a new line, a counter appears near the limit."""
from __future__ import annotations

import uuid

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User

COUNTER_FROM = 0.9  # show the counter from 90 % of the limit


class Composer:
    def __init__(self, services: Services, user: User, room_id: int) -> None:
        self._services = services
        self._user = user
        self._room_id = room_id
        self._client_id = uuid.uuid4().hex  # the same id until the send succeeds: a retry never duplicates
        self._sending = False
        limit = services.settings.max_message_length
        with ui.row().classes('w-full items-end gap-2 no-wrap px-2 pb-2'):
            with ui.column().classes('grow gap-0 min-w-0'):
                self.input = ui.textarea(placeholder='Message').props(
                    'aria-label=Message outlined dense autogrow rows=1 input-style="max-height: 30vh"',
                ).classes('w-full')
                with ui.row().classes('w-full justify-between no-wrap'):
                    self.error = ui.label().classes('text-negative text-caption').props('role=alert')
                    ui.label().classes('text-caption').bind_text_from(
                        self.input, 'value', backward=lambda v: f'{len(v or "")} / {limit}',
                    ).bind_visibility_from(
                        self.input, 'value', backward=lambda v: len(v or '') >= COUNTER_FROM * limit,
                    ).mark('counter')
            ui.button('Send', icon='send', on_click=self.send).props('unelevated no-caps').classes('mb-5')
        self.input.on('keydown.enter.exact.prevent', self.send)
        # typing is what changes the text (Enter that sends does not): at most one event every 2 s
        self.input.on('update:value', self._typing, args=[], throttle=2.0,
                      leading_events=True, trailing_events=False)

    async def send(self) -> None:
        if self._sending:
            return
        self._sending = True
        try:
            await self._services.messages.post(self._user, self._room_id, self.input.value or '', self._client_id)
        except ChatError as e:
            self.error.set_text(str(e))
            return
        finally:
            self._sending = False
        self._client_id = uuid.uuid4().hex
        self.input.set_value('')
        self.error.set_text('')
        await self._services.presence.activity(self._user.id)

    async def _typing(self) -> None:
        await self._services.typing.started(self._user, self._room_id)
        await self._services.presence.activity(self._user.id)
