"""A burst of changes to a person's rooms (joins, creations in another tab) updates each of their pages' room
list once, not once per change (per-user updates are coalesced)."""
from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User

from chat_ui.components.message_list import MessageList
from chat_ui.components.room_list import RoomList

from .conftest import eventually, room_names, sign_up


async def test_a_burst_of_new_rooms_reloads_the_list_once(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    await sign_up(user, 'alice')
    (pane,) = user.find(kind=MessageList).elements
    services, alice = pane._services, pane._viewer
    loads: list[RoomList] = []
    original = RoomList.load

    async def load(self: RoomList) -> None:
        loads.append(self)
        await original(self)

    monkeypatch.setattr(RoomList, 'load', load)
    for name in ('design', 'ops', 'sales'):  # e.g. from another tab, or a script: three events at once
        await services.rooms.create_room(alice, name)
    await eventually(lambda: room_names(user) == ['design', 'general', 'ops', 'sales'])
    await asyncio.sleep(0.5)
    assert len(loads) == 1
