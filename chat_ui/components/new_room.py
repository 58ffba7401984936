"""The "New room" dialog, built when opened and deleted when closed (no cost for pages that never use it)."""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User


def open_new_room_dialog(services: Services, user: User) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md'):
        ui.label('New room').classes('text-h6')
        name = ui.input('Room name').props('outlined autofocus hint="3-32 characters: a-z, 0-9, _ - ."') \
            .classes('w-full')
        topic = ui.input('Topic (optional)').props('outlined').classes('w-full')
        private = ui.checkbox('Private')
        ui.label('Only the people you invite can find, read and join a private room.') \
            .classes('text-caption text-grey-7')
        error = ui.label().classes('text-negative').props('role=alert')

        async def create() -> None:
            try:
                room = await services.rooms.create_room(user, name.value or '', topic.value or '', bool(private.value))
            except ChatError as e:
                error.set_text(str(e))
                return
            dialog.close()
            ui.navigate.to(f'/room/{room.id}')

        name.on('keydown.enter', create)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=dialog.close).props('flat')
            ui.button('Create', on_click=create)
    dialog.on('hide', dialog.delete)
    dialog.open()
    return dialog

