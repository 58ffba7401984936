"""The room's live chrome in one element: heading, topic, member count, member panel and typing line.

Everything here changes for all viewers of a room at once, so none of it is a NiceGUI element updated per
page: the bridge emits each change once per room (`chat:live`, wire-format events) and `room_live.js`
applies it in the browser. A second component beside message_list.js rather than more code in it: the
message pane is the hot path with its own invariants (seq order, catch-up, outbox), and this one only
mirrors room state; each stays small enough to read. The component's root is the typing line; the
header part and the member panel are Vue teleports into two places of the page (`header`, `panel`).

The member list comes with the page (the `members` prop, dropped once the page connected so that no
open page keeps a copy on the server) and after that from the broadcasts; after a reconnect, when live
events may have been missed, the page gets the current list once (`setMembers`).
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from nicegui import ui

from services.errors import ChatError
from services.models import Room, User

log = logging.getLogger(__name__)

Snapshot = Callable[[], Awaitable[dict[str, Any]]]


class RoomLive(ui.element, component='room_live.js'):
    def __init__(self, viewer: User, room: Room, title: str, can: Iterable[str], snapshot: dict[str, Any],
                 typing_ttl: float, *, header: ui.element, panel: ui.element, drawer: ui.element,
                 reload: Snapshot, muted: bool | None = None) -> None:
        super().__init__()
        self._reload = reload
        self._connected_once = False
        self._props.update(roomId=room.id, viewerId=viewer.id, name=title, kind=room.kind, can=sorted(can),
                           topic=room.topic,
                           members=snapshot['members'], total=snapshot['total'], ttl=typing_ttl,
                           header=f'#{header.html_id}', panel=f'#{panel.html_id}', drawer=drawer.id, muted=muted)
        self.client.on_connect(self._connected)
        self.on('load', self._send_current)

    def set_abilities(self, can: Iterable[str]) -> None:
        """Show the controls of what the viewer may do now (their role changed)."""
        if sorted(can) != self._props['can']:
            self._props['can'] = sorted(can)
            self.update()

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        # what the page was rendered with, for the User fixture (which runs no JavaScript): live changes after
        # that happen only in the browser (tests/browser)
        return [self._props['name'], self._props['topic'], f"Members ({self._props['total']})"]

    async def _connected(self) -> None:
        if not self._connected_once:
            self._connected_once = True
            # the page has it: no per-page copy of the list on the server. Past the observable props (dict.pop): the
            # browser needs no update for that, and a thousand pages connecting would be a thousand messages.
            dict.pop(self._props, 'members', None)
            return
        await self._send_current()  # a reconnect: membership, presence or the topic may have changed meanwhile

    async def _send_current(self) -> None:
        try:
            self.run_method('setMembers', await self._reload())
        except ChatError:  # a stale page (its viewer left the room): it keeps what it shows
            return
        except Exception:
            log.exception('reloading the member list of a page failed')
