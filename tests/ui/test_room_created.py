"""A room created in one tab shows in the room list of every other tab of the same person, without a reload."""
from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from .conftest import eventually, field, press, room_names, sign_in_over_api, sign_up


async def sign_in(user: User, name: str, password: str = 'correct horse') -> None:
    await sign_in_over_api(user, name, password)


async def test_a_new_room_shows_in_the_creators_other_tabs(create_user: Callable[[], User]) -> None:
    first_tab, second_tab, bob = create_user(), create_user(), create_user()
    await sign_up(first_tab, 'alice')
    await sign_in(second_tab, 'alice')
    await sign_up(bob, 'bob')
    assert room_names(second_tab) == ['general']

    press(first_tab, 'New room')
    field(first_tab, 'Room name').type('design')
    press(first_tab, 'Create')
    await eventually(lambda: room_names(second_tab) == ['design', 'general'])  # live, in the other tab
    assert room_names(bob) == ['general']  # nobody else's list changes
