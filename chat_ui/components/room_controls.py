"""What the room's controls do (room_live.js shows only those the policy allows the viewer): edit the topic,
invite, leave; a member's actions. Each dialog is built when asked for and deleted when closed."""
from __future__ import annotations

from nicegui import ui
from nicegui.events import GenericEventArguments

from services.bootstrap import Services
from services.errors import ChatError
from services.models import Room, User

from .invite_dialog import open_invite_dialog
from .member_dialog import open_member_dialog
from .room_live import RoomLive
from .topic_dialog import open_topic_dialog

_LEAVE = {
    'public': 'Leave #{name}? You can join again from Browse.',
    'private': 'Leave #{name}? Only an invitation brings you back.',
    'group': 'Leave the conversation with {name}? Someone in it can add you again.',
}


class RoomControls:
    def __init__(self, services: Services, user: User, room: Room, title: str, live: RoomLive) -> None:
        self._services = services
        self._user = user
        self._room = room
        self._title = title
        self.live = live
        live.on('edit_topic', self._edit_topic)
        live.on('leave', self._confirm_leave)
        live.on('invite', self._invite)
        live.on('member', self._member)
        live.on('join', self._join)  # the administrator reading a room they are not in
        live.on('mute', self._mute)

    async def refresh_abilities(self) -> frozenset[str]:
        """Ask the policy again (the viewer's role changed): the header's controls follow; returns the abilities."""
        try:
            can: frozenset[str] = await self._services.rooms.abilities(self._user, self._room.id)
        except ChatError:  # no longer allowed to read the room: the page goes quiet (gone.py)
            can = frozenset()
        self.live.set_abilities(can)
        return can

    async def _edit_topic(self) -> None:
        try:
            current = await self._services.rooms.get_room(self._user, self._room.id)
        except ChatError as e:
            ui.notification(str(e), type='negative')
            return
        open_topic_dialog(self._services, self._user, self._room.id, current.topic)

    async def _invite(self) -> None:
        try:
            can = await self._services.rooms.abilities(self._user, self._room.id)
        except ChatError as e:
            ui.notification(str(e), type='negative')
            return
        await open_invite_dialog(self._services, self._user, self._room.id, 'unban' in can)

    async def _member(self, e: GenericEventArguments) -> None:
        name = e.args.get('username') if isinstance(e.args, dict) else None
        if isinstance(name, str):  # the services check the rest (a crafted event gets their refusal)
            await open_member_dialog(self._services, self._user, self._room.id, name)

    async def _mute(self, e: GenericEventArguments) -> None:
        muted = e.args.get('muted') if isinstance(e.args, dict) else None
        if not isinstance(muted, bool):
            return
        try:  # every tab of the viewer follows through chat:attn (bridge.py)
            await self._services.reads.set_muted(self._user, self._room.id, muted)
        except ChatError as error:
            ui.notification(str(error), type='negative')

    async def _join(self) -> None:
        try:
            await self._services.rooms.join(self._user, self._room.id)
        except ChatError as e:
            ui.notification(str(e), type='negative')
            return
        ui.navigate.reload()

    async def _leave(self) -> None:
        try:
            await self._services.rooms.leave(self._user, self._room.id)
        except ChatError as e:
            ui.notification(str(e), type='negative')
            return
        ui.navigate.to('/')

    def _confirm_leave(self) -> None:  # built on demand: most pages never show it
        text = _LEAVE.get(self._room.kind, _LEAVE['public']).format(name=self._title)
        with ui.dialog() as dialog, ui.card():
            ui.label(text)
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancel', on_click=dialog.close).props('flat')
                ui.button('Leave', color='negative', on_click=self._leave)
        dialog.on('hide', dialog.delete)
        dialog.open()
