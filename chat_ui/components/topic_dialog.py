"""The "Edit topic" dialog, built when opened and deleted when closed (no cost for pages that never use it).

The owner, moderators and the administrator may change the topic (Rooms.set_topic, services/policy.py); anyone
else sees the refusal in the dialog. Saving publishes RoomUpdated, which updates the topic line of every open
page of the room, this one included.
"""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User


def open_topic_dialog(services: Services, user: User, room_id: int, current: str) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md'):
        ui.label('Edit topic').classes('text-h6')
        topic = ui.input('Topic', value=current).props('outlined autofocus').classes('w-full')
        error = ui.label().classes('text-negative').props('role=alert')

        async def save() -> None:
            try:
                await services.rooms.set_topic(user, room_id, topic.value or '')
            except ChatError as e:
                error.set_text(str(e))
                return
            dialog.close()

        topic.on('keydown.enter', save)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=dialog.close).props('flat')
            ui.button('Save', on_click=save)
    dialog.on('hide', dialog.delete)
    dialog.open()
    return dialog
