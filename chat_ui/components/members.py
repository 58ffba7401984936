"""The member panel: one HTML list, re-rendered at most twice a second when presence or membership changes.

One element for the whole list (not several per member) keeps a page small: with a thousand open
pages of a big room, per-member NiceGUI elements would cost megabytes per page.
"""
from __future__ import annotations

import asyncio
from html import escape

from nicegui import ui

from services.bootstrap import Services
from services.models import PresenceStatus, User

SHOWN = 100  # members listed by name; the rest are counted
ORDER: dict[str, int] = {'online': 0, 'away': 1, 'offline': 2}
RENDER_DELAY = 0.5  # coalesce bursts of presence changes into one update


class MemberPanel:
    def __init__(self, services: Services, viewer: User, room_id: int) -> None:
        self._services = services
        self._viewer = viewer
        self._room_id = room_id
        self._members: list[User] = []
        self._status: dict[int, PresenceStatus] = {}
        self._pending: asyncio.TimerHandle | None = None
        self.html = ui.html(tag='section').classes('w-full p-3').props('aria-label=Members')

    async def load(self) -> None:
        """Read the members and their presence again (after a join or leave)."""
        self._members = await self._services.rooms.members(self._viewer, self._room_id)
        self._status = self._services.presence.statuses([m.id for m in self._members])
        self._status[self._viewer.id] = 'online'  # whoever looks at the page is online, even before its socket is
        self._render()

    def set_status(self, user_id: int, status: PresenceStatus) -> None:
        if user_id not in self._status or self._status[user_id] == status:
            return
        self._status[user_id] = status
        if self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(RENDER_DELAY, self._render)

    def _render(self) -> None:
        self._pending = None
        if self.html.is_deleted:
            return
        members = sorted(self._members, key=lambda m: (ORDER[self._status.get(m.id, 'offline')], m.username))
        rows = ''.join(
            f'<li data-testid="member" data-presence="{status}" data-user="{escape(m.username)}">'
            f'<span class="chat-dot" aria-hidden="true"></span><span class="chat-member-name">{escape(m.username)}'
            f'</span><span class="chat-member-status">{status}</span></li>'
            for m in members[:SHOWN] for status in (self._status.get(m.id, 'offline'),)
        )
        more = f'<p class="chat-more">and {len(members) - SHOWN} more</p>' if len(members) > SHOWN else ''
        self.html.set_content(f'<h2 class="chat-side-title">Members ({len(members)})</h2>'
                              f'<ul class="chat-members">{rows}</ul>{more}')
