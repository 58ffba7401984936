"""The actions on one member of the member panel (its "Actions for <name>" button, room_live.js): "Message" for
everyone, and what services/policy.py lets the viewer do to them: "Make moderator" / "Make member", "Remove",
"Ban" (Membership.actions_on). Built when asked for and deleted when closed."""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError
from services.membership import MemberAction
from services.models import User

LABELS: dict[MemberAction, str] = {'make_moderator': 'Make moderator', 'make_member': 'Make member',
                                   'remove': 'Remove', 'ban': 'Ban'}
ICONS: dict[MemberAction, str] = {'make_moderator': 'shield', 'make_member': 'person', 'remove': 'person_remove',
                                  'ban': 'block'}


async def act(services: Services, user: User, room_id: int, username: str, action: MemberAction) -> str:
    """Do `action` to the member; what happened, in a sentence. ChatError if refused."""
    membership = services.membership
    if action == 'make_moderator':
        await membership.set_role(user, room_id, username, 'moderator')
        return f'{username} is a moderator now'
    if action == 'make_member':
        await membership.set_role(user, room_id, username, 'member')
        return f'{username} is a member now'
    if action == 'remove':
        await membership.remove(user, room_id, username)
        return f'{username} was removed'
    await membership.ban(user, room_id, username)
    return f'{username} was banned'


async def open_member_dialog(services: Services, user: User, room_id: int, username: str) -> ui.dialog | None:
    try:
        actions = await services.membership.actions_on(user, room_id, username)
    except ChatError as e:
        ui.notification(str(e), type='negative')
        return None
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-xs gap-1') \
            .props('aria-label="Member actions"').mark(f'member-actions-{username}'):
        ui.label(username).classes('text-h6')

        async def do(action: MemberAction) -> None:
            try:
                done = await act(services, user, room_id, username, action)
            except ChatError as e:
                ui.notification(str(e), type='negative')
                return
            dialog.close()
            ui.notification(done, type='positive')

        ui.button('Message', icon='chat', on_click=lambda: ui.navigate.to(f'/dm/{username}')) \
            .props('flat no-caps align=left').classes('w-full')
        for action in actions:
            ui.button(LABELS[action], icon=ICONS[action], on_click=lambda a=action: do(a),
                      color='negative' if action in ('remove', 'ban') else 'primary') \
                .props('flat no-caps align=left').classes('w-full')
    dialog.on('hide', dialog.delete)
    dialog.open()
    return dialog
