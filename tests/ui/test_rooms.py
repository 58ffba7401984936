"""Rooms as a person uses them: create, browse, join, leave; the header and the room list follow."""
from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from chat_ui.components.room_live import RoomLive

from .conftest import eventually, field, press, room_names, sign_up


async def create_room(user: User, name: str, topic: str = '') -> None:
    press(user, 'New room')
    field(user, 'Room name').type(name)
    if topic:
        field(user, 'Topic (optional)').type(topic)
    press(user, 'Create')


async def test_create_room_lands_in_it_and_lists_it(user: User) -> None:
    await sign_up(user, 'alice')
    await create_room(user, 'design', 'Pixels and fonts')
    await eventually(lambda: room_names(user) == ['design', 'general'])  # in the room list, by name
    await user.should_see('Pixels and fonts')  # the topic in the new room's header


async def test_bad_room_name_is_explained_and_nothing_is_created(user: User) -> None:
    await sign_up(user, 'alice')
    await create_room(user, 'Bad Name!')
    await user.should_see('Room name may only contain', retries=30)
    assert room_names(user) == ['general']


async def test_browse_join_and_leave(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await create_room(alice, 'design', 'Pixels and fonts')
    await alice.should_see('Pixels and fonts', retries=30)
    await sign_up(bob, 'bob')
    assert room_names(bob) == ['general']

    await bob.open('/rooms')
    await bob.should_see(marker='browse-design')
    with bob.scope(marker='browse-design'):
        press(bob, 'Join')
    await bob.should_see('Members (2)', retries=50)  # in the room page now
    assert room_names(bob) == ['design', 'general']

    bob.find(kind=RoomLive).trigger('leave')  # its "Leave room" button (room_live.js)
    press(bob, 'Leave')
    await bob.should_see('Company-wide chat', retries=30)  # back in general
    assert room_names(bob) == ['general']


async def test_reading_a_room_one_has_not_joined_offers_to_join(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await create_room(alice, 'secret-plans')
    await eventually(lambda: 'secret-plans' in room_names(alice))
    room_path = alice.back_history[-1] if alice.back_history else ''
    assert room_path.startswith('/room/'), alice.back_history
    await sign_up(bob, 'bob')
    await bob.open(room_path)
    await bob.should_see('You are not a member of that room')
    await bob.should_not_see('Members (')
