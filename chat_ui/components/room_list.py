"""The left drawer's head and the list of joined rooms: plain HTML in one element.

Each link holds a span whose text is exactly the room's name (the UI contract); badges go beside it.
"""
from __future__ import annotations

from html import escape

from nicegui import ui

from services.bootstrap import Services
from services.models import Room, User


def head(user: User) -> str:
    return (f'<div class="chat-side-head"><h2 class="chat-side-title">Rooms</h2>'
            f'<a class="chat-browse" href="/rooms">Browse rooms</a></div>'
            f'<p class="chat-me">Signed in as <b>{escape(user.username)}</b></p>')


def render(rooms: list[Room], active_room_id: int | None) -> str:
    if not rooms:
        return '<p class="chat-empty">You have not joined any room yet.</p>'
    links = ''.join(
        f'<a class="chat-room{" active" if room.id == active_room_id else ""}" href="/room/{room.id}"'
        f'{" aria-current=page" if room.id == active_room_id else ""}>'
        f'<span class="chat-hash" aria-hidden="true">#</span>'
        f'<span class="chat-room-name">{escape(room.name)}</span></a>'
        for room in rooms
    )
    return f'<nav class="chat-rooms" aria-label="Your rooms">{links}</nav>'


class RoomList:
    def __init__(self, services: Services, user: User, active_room_id: int | None) -> None:
        self._services = services
        self._user = user
        self._active = active_room_id
        self.html = ui.html().classes('w-full')

    async def load(self) -> None:
        rooms = await self._services.rooms.list_joined(self._user)
        self.html.set_content(head(self._user) + render(rooms, self._active))
