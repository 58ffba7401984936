"""The member panel: one HTML list, re-rendered when membership changes or a batch of presence arrives.

One element for the whole list (not several per member) keeps a page small, and so does keeping only
what is shown: in a room of a thousand, each open page holds the first SHOWN members (online first)
and the count, not everybody. A member outside the list who comes online appears at the next
membership change or page load, as in the big rooms of other chat apps.
"""
from __future__ import annotations

from html import escape

from nicegui import ui

from services.bootstrap import Services
from services.models import PresenceStatus, User

SHOWN = 100  # members listed by name; the rest are counted
ORDER: dict[str, int] = {'online': 0, 'away': 1, 'offline': 2}


class MemberPanel:
    def __init__(self, services: Services, viewer: User, room_id: int) -> None:
        self._services = services
        self._viewer = viewer
        self._room_id = room_id
        self._shown: dict[int, tuple[str, PresenceStatus]] = {}  # user id -> (name, status), SHOWN at most
        self._total = 0
        self.html = ui.html(tag='section').classes('w-full p-3').props('aria-label=Members')

    async def load(self) -> None:
        """Read the members and their presence again (after a join or leave)."""
        members = await self._services.rooms.members(self._viewer, self._room_id)
        status = await self._services.presence.statuses([m.id for m in members])
        status[self._viewer.id] = 'online'  # whoever looks at the page is online, even before its socket is
        members.sort(key=lambda m: (ORDER[status.get(m.id, 'offline')], m.username))
        self._shown = {m.id: (m.username, status.get(m.id, 'offline')) for m in members[:SHOWN]}
        self._total = len(members)
        self._render()

    def set_statuses(self, statuses: dict[int, PresenceStatus]) -> None:
        changed = False
        for user_id, status in statuses.items():
            entry = self._shown.get(user_id)
            if entry is not None and entry[1] != status and user_id != self._viewer.id:
                self._shown[user_id] = (entry[0], status)
                changed = True
        if changed:
            self._render()

    def _render(self) -> None:
        if self.html.is_deleted:
            return
        shown = sorted(self._shown.values(), key=lambda e: (ORDER[e[1]], e[0]))
        # compact markup: the dot and the status word come from CSS on data-presence
        rows = ''.join(f'<li data-testid=member data-presence={status} data-user="{escape(name)}">{escape(name)}</li>'
                       for name, status in shown)
        more = f'<p class=chat-more>and {self._total - len(shown)} more</p>' if self._total > len(shown) else ''
        self.html.set_content(f'<h2 class=chat-side-title>Members ({self._total})</h2>'
                              f'<ul class=chat-members>{rows}</ul>{more}')
