"""The "New room" dialog."""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User


def new_room_dialog(services: Services, user: User) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md'):
        ui.label('New room').classes('text-h6')
        name = ui.input('Room name').props('outlined autofocus').classes('w-full')
        ui.label('3-32 characters: a-z, 0-9, _ - .').classes('text-caption text-grey-7')
        topic = ui.input('Topic (optional)').props('outlined').classes('w-full')
        error = ui.label().classes('text-negative').props('role=alert')
        error.set_visibility(False)

        async def create() -> None:
            try:
                room = await services.rooms.create_room(user, name.value or '', topic.value or '')
            except ChatError as e:
                error.set_text(str(e))
                error.set_visibility(True)
                return
            dialog.close()
            ui.navigate.to(f'/room/{room.id}')

        name.on('keydown.enter', create)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=dialog.close).props('flat')
            ui.button('Create', on_click=create)
    return dialog
