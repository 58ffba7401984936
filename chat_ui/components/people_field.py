"""An input of usernames with suggestions: the "People" field of "New message" and the "Username" of "Invite".

NiceGUI's input completes the whole value (Tab takes the grey rest), so each suggestion is what was typed with
the last name completed; the names come from `Conversations.people` as the typing goes (throttled).
"""
from __future__ import annotations

import re

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User

_LAST_NAME = re.compile(r'(?P<done>.*[,\s])?(?P<last>[^,\s]*)', re.DOTALL)
_SEPARATORS = re.compile(r'[,\s]+')


def usernames(text: str | None) -> list[str]:
    """The names typed, in order: separated by commas or spaces."""
    return [name for name in _SEPARATORS.split(text or '') if name]


def people_field(services: Services, user: User, label: str, hint: str) -> ui.input:
    field = ui.input(label, autocomplete=[]).props(f'outlined autofocus autocomplete=off hint="{hint}"') \
        .classes('w-full')

    async def suggest() -> None:
        typed = field.value or ''
        match = _LAST_NAME.fullmatch(typed)
        last = match.group('last') if match else ''
        try:
            names = await services.conversations.people(user, last) if last else []
        except ChatError:
            names = []
        field.set_autocomplete([typed + name[len(last):] for name in names])

    field.on_value_change(suggest)
    return field
