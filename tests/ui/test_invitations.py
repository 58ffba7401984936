"""Private rooms and invitations: made private in "New room", found by members only, people added with "Invite"
(the invitee's drawer lists the room at once, in every tab); a group conversation adds people the same way."""
from __future__ import annotations

from collections.abc import Callable

from nicegui import ui
from nicegui.testing import User

from chat_ui.components.room_live import RoomLive

from .conftest import dm_names, eventually, field, press, room_names, sign_up
from .test_room_created import sign_in


def can(user: User) -> list[str]:
    (live,) = user.find(kind=RoomLive).elements
    return list(live.props['can'])


def room_id(user: User) -> int:
    (live,) = user.find(kind=RoomLive).elements
    return int(live.props['roomId'])


def open_invite(user: User) -> None:
    assert 'invite' in can(user), 'the page shows no "Invite"'
    user.find(kind=RoomLive).trigger('invite')  # the header's "Invite" (room_live.js)


async def invite(user: User, name: str) -> None:
    open_invite(user)
    await user.should_see('Invite people')
    field(user, 'Username').type(name)
    press(user, 'Invite')


async def create_private_room(user: User, name: str) -> None:
    press(user, 'New room')
    field(user, 'Room name').type(name)
    user.find(kind=ui.checkbox, content='Private').click()
    press(user, 'Create')
    await eventually(lambda: name in room_names(user))


async def test_an_invitation_shows_the_private_room_in_every_tab_of_the_invitee(
        create_user: Callable[[], User]) -> None:
    alice, bob, bob_again = create_user(), create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    await sign_in(bob_again, 'bob')
    await create_private_room(alice, 'plans')
    await alice.should_see('Members (1)', retries=50)

    await bob.open('/rooms')
    await bob.should_not_see('plans')  # not listed to those outside it
    await invite(alice, 'bob')
    await alice.should_see('bob was added', retries=30)
    await eventually(lambda: room_names(bob) == ['general', 'plans'])  # live, without a reload
    await eventually(lambda: room_names(bob_again) == ['general', 'plans'])
    await bob_again.open('/rooms')
    await bob_again.should_see(marker='browse-plans')  # listed to its members

    await bob.open(f'/room/{room_id(alice)}')
    await bob.should_see('Members (2)', retries=50)
    assert 'invite' not in can(bob)  # a plain member of a private room adds nobody: no "Invite" on his page


async def test_a_wrong_name_is_explained_in_the_dialog(create_user: Callable[[], User]) -> None:
    alice = create_user()
    await sign_up(alice, 'alice')
    await create_private_room(alice, 'plans')
    await invite(alice, 'nobody')
    await alice.should_see('No such user', retries=30)
    await alice.should_see('Invite people')  # still open, to fix the name


async def test_a_group_conversation_adds_people_and_a_participant_leaves_it(
        create_user: Callable[[], User]) -> None:
    alice, bob, carol, dave = create_user(), create_user(), create_user(), create_user()
    for person, name in ((bob, 'bob'), (carol, 'carol'), (dave, 'dave'), (alice, 'alice')):
        await sign_up(person, name)
    await alice.open('/dm/bob')
    await alice.should_see('Members (2)', retries=50)
    assert not {'invite', 'leave'} & set(can(alice))  # a 1:1 is for good: no "Invite", no "Leave"

    press(alice, 'New message')
    field(alice, 'People').type('bob, carol')
    press(alice, 'Start')
    await alice.should_see('Members (3)', retries=50)
    await invite(alice, 'dave')
    await eventually(lambda: dm_names(dave) == ['alice, bob, carol'])  # dave sees it at once
    await dave.open(f'/room/{room_id(alice)}')
    await dave.should_see('Members (4)', retries=50)
    assert 'leave' in can(dave)
    dave.find(kind=RoomLive).trigger('leave')
    press(dave, 'Leave')
    await eventually(lambda: dm_names(dave) == [])
