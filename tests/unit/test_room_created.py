"""Creating a room tells the creator's other pages (RoomCreated on `user:<id>`), after the room is stored."""
from __future__ import annotations

import pytest

from services.bootstrap import Services
from services.errors import Conflict, ValidationError
from services.events import Event, RoomCreated
from services.models import User

from .conftest import Recorder


async def test_create_room_publishes_room_created_for_the_creator(
        services: Services, alice: User, recorder: Recorder) -> None:
    listed: list[list[str]] = []

    async def creators_room_list(event: Event) -> None:  # what a page of the creator does with it
        if isinstance(event, RoomCreated):
            listed.append([room.name for room in await services.rooms.list_joined(alice)])

    services.bus.subscribe(creators_room_list)
    recorder.clear()
    room = await services.rooms.create_room(alice, 'design', 'Pixels')
    assert recorder.events == [RoomCreated(room, alice.id)]
    assert recorder.events[0].topic == f'user:{alice.id}'
    assert listed == [['design', 'general']]  # published after the commit: the new room is already there


async def test_a_refused_creation_publishes_nothing(services: Services, alice: User, recorder: Recorder) -> None:
    await services.rooms.create_room(alice, 'design')
    recorder.clear()
    with pytest.raises(Conflict):
        await services.rooms.create_room(alice, 'Design')
    with pytest.raises(ValidationError):
        await services.rooms.create_room(alice, 'no spaces')
    assert recorder.events == []
