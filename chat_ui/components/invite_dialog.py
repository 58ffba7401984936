"""The "Invite" dialog: add someone to a room or a group conversation at once; the banned and "Unban" for those
who may lift a ban. Built when opened and deleted when closed (no cost for pages that never use it).

Adding someone publishes MembershipChanged, which the bridge hands to the invitee's pages: the room appears in
their drawer at once, in every tab. A group's new member reads its history like everyone else.
"""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.models import User

from .people_field import people_field


async def open_invite_dialog(services: Services, user: User, room_id: int, can_unban: bool) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-md'):
        ui.label('Invite people').classes('text-h6')
        username = people_field(services, user, 'Username', 'They are added at once and see the history')
        error = ui.label().classes('text-negative').props('role=alert')

        async def invite() -> None:
            try:
                added = await services.membership.invite(user, room_id, (username.value or '').strip())
            except ChatError as e:
                error.set_text(str(e))
                return
            dialog.close()
            ui.notification(f'{added.username} was added', type='positive')

        username.on('keydown.enter', invite)
        with ui.row().classes('w-full justify-end'):
            ui.button('Cancel', on_click=dialog.close).props('flat')
            ui.button('Invite', on_click=invite)
        if can_unban:
            await _banned_section(services, user, room_id)
    dialog.on('hide', dialog.delete)
    dialog.open()
    return dialog


async def _banned_section(services: Services, user: User, room_id: int) -> None:
    """Who is banned, each with "Unban" (policy 'unban'): they may then join or be added again."""

    @ui.refreshable
    async def banned() -> None:
        try:
            people = await services.membership.banned(user, room_id)
        except ChatError as e:
            ui.label(str(e)).classes('text-negative')
            return
        if not people:
            ui.label('Nobody is banned.').classes('text-grey-7')
        for person in people:
            with ui.row().classes('w-full items-center justify-between').mark(f'banned-{person.username}'):
                ui.label(person.username)
                ui.button('Unban', on_click=lambda name=person.username: unban(name)).props('flat dense no-caps')

    async def unban(name: str) -> None:
        try:
            await services.membership.unban(user, room_id, name)
        except ChatError as e:
            ui.notification(str(e), type='negative')
            return
        ui.notification(f'{name} may come back', type='positive')
        await banned.refresh()

    ui.separator()
    ui.label('Banned').classes('text-subtitle2').props('role=heading aria-level=3')
    with ui.column().classes('w-full gap-1'):
        await banned()
