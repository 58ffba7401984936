"""The "New message" dialog: one username opens the direct message with them, several a new group conversation.

Built when opened and deleted when closed (no cost for pages that never use it).
"""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import Room, User

from .people_field import people_field, usernames

HINT = 'One username for a direct message, or 2-7 separated by commas for a group'


async def start(services: Services, user: User, names: list[str]) -> Room:
    """The conversation with these people: the 1:1 for one name (made once), else a new group."""
    if len(names) == 1:
        return await services.conversations.open_dm(user, names[0])
    return await services.conversations.open_group(user, names)


def open_new_message_dialog(services: Services, user: User) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md'):
        ui.label('New message').classes('text-h6')
        people = people_field(services, user, 'People', HINT)
        error = ui.label().classes('text-negative').props('role=alert')

        async def go() -> None:
            names = usernames(people.value)
            if not names:
                error.set_text('Name at least one person.')
                return
            try:
                room = await start(services, user, names)
            except ChatError as e:
                error.set_text(str(e))
                return
            dialog.close()
            ui.navigate.to(f'/room/{room.id}')

        people.on('keydown.enter', go)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=dialog.close).props('flat')
            ui.button('Start', on_click=go)
    dialog.on('hide', dialog.delete)
    dialog.open()
    return dialog
