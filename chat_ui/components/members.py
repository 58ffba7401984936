"""The member panel: one entry per member with their presence, updated in place."""
from __future__ import annotations

from nicegui import ui

from services.bootstrap import Services
from services.models import PresenceStatus, User

COLORS: dict[str, str] = {'online': 'positive', 'away': 'warning', 'offline': 'grey-5'}


class MemberPanel:
    def __init__(self, services: Services, viewer: User, room_id: int) -> None:
        self._services = services
        self._viewer = viewer
        self._room_id = room_id
        self._rows: dict[int, tuple[ui.item, ui.icon, ui.label]] = {}

    @ui.refreshable_method
    async def load(self) -> None:
        members = await self._services.rooms.members(self._viewer, self._room_id)
        statuses = self._services.presence.statuses([m.id for m in members])
        statuses[self._viewer.id] = 'online'  # whoever looks at the page is online, even before its socket is
        self._rows.clear()
        ui.label(f'Members ({len(members)})').classes('text-subtitle1 font-bold px-3 pt-3')
        with ui.list().classes('w-full').props('dense'):
            for member in members:
                status = statuses.get(member.id, 'offline')
                row = ui.item().props(f'data-testid=member data-presence={status}').mark(f'member-{member.username}')
                with row:
                    with ui.item_section().props('avatar'):
                        icon = ui.icon('circle', size='12px', color=COLORS[status])
                    with ui.item_section():
                        ui.label(member.username)
                    with ui.item_section().props('side'):
                        text = ui.label(status).classes('text-caption text-grey-7')
                self._rows[member.id] = (row, icon, text)

    def set_status(self, user_id: int, status: PresenceStatus) -> None:
        if (entry := self._rows.get(user_id)) is None:
            return
        row, icon, text = entry
        row.props(f'data-presence={status}')
        icon.props(f'color={COLORS[status]}')
        text.set_text(status)
