"""Roles and moderation as the people of a room see them: each member's role on the member panel, the actions
on a member (only those the policy allows), the removed member's page going quiet, "Unban" in the Invite dialog,
and the administrator's "All rooms"."""
from __future__ import annotations

from collections.abc import Callable

from nicegui import ui
from nicegui.testing import User

from chat_ui.components.message_list import MessageList
from chat_ui.components.room_live import RoomLive

from .conftest import RoomEmits, eventually, field, press, room_names, sign_up
from .test_rooms import create_room


def live_of(user: User) -> RoomLive:
    (live,) = user.find(kind=RoomLive).elements
    return live


def can(user: User) -> list[str]:
    return list(live_of(user).props['can'])


def buttons(user: User, name: str) -> set[str]:
    """The buttons of the actions dialog of that member."""
    with user.scope(marker=f'member-actions-{name}'):
        return {str(b.text) for b in user.find(kind=ui.button).elements}


async def member_menu(user: User, name: str) -> None:
    """The "Actions for <name>" button of a member's entry (room_live.js)."""
    user.find(kind=RoomLive).trigger('member', {'username': name})
    await user.should_see(marker=f'member-actions-{name}', retries=30)


def press_for(user: User, name: str, label: str) -> None:
    """A button of the actions dialog of that member (a closed dialog lingers in the User fixture: no animations)."""
    with user.scope(marker=f'member-actions-{name}'):
        press(user, label)


async def dev_room_of_three(alice: User, bob: User, carol: User) -> int:
    """alice owns 'dev' (she signed up second: root is the administrator); bob and carol join it."""
    await create_room(alice, 'dev')
    await alice.should_see('Members (1)', retries=50)
    room_id = int(live_of(alice).props['roomId'])
    for person in (bob, carol):
        await person.open('/rooms')
        with person.scope(marker='browse-dev'):
            press(person, 'Join')
        await person.should_see('Members (', retries=50)  # on the room's page now
    return room_id


async def test_the_owner_names_a_moderator_whose_controls_follow_live(
        create_user: Callable[[], User], room_emits: RoomEmits) -> None:
    root, alice, bob, carol = create_user(), create_user(), create_user(), create_user()
    for person, name in ((root, 'root'), (alice, 'alice'), (bob, 'bob'), (carol, 'carol')):
        await sign_up(person, name)
    await dev_room_of_three(alice, bob, carol)

    def roles() -> list[tuple[str, str]]:  # the member panel's entries (data-user, data-role), as last broadcast
        snapshot = room_emits.events('room.members')[-1]
        assert snapshot['v'] == 2
        return sorted((m[1], m[3]) for m in snapshot['members'])

    await eventually(lambda: roles() == [('alice', 'owner'), ('bob', 'member'), ('carol', 'member')])

    await member_menu(carol, 'bob')  # a plain member: only "Message"
    assert buttons(carol, 'bob') == {'Message'}

    await member_menu(alice, 'bob')
    assert {'Message', 'Make moderator', 'Remove', 'Ban'} <= buttons(alice, 'bob')
    press_for(alice, 'bob', 'Make moderator')
    await alice.should_see('bob is a moderator now', retries=30)
    await eventually(lambda: {'set_topic', 'remove', 'delete_other'} <= set(can(bob)))  # without a reload
    (pane,) = bob.find(kind=MessageList).elements
    assert pane.props['deleteAny'] is True  # "Delete" on everyone's messages now
    await eventually(lambda: [(e['username'], e['role']) for e in room_emits.events('role.changed')] == [
        ('bob', 'moderator')])  # once, to the room
    await eventually(lambda: roles() == [('alice', 'owner'), ('bob', 'moderator'), ('carol', 'member')])
    assert 'set_topic' not in can(carol)  # nobody else's controls changed

    await member_menu(bob, 'alice')  # a moderator does nothing to the owner
    assert not {'Make member', 'Remove', 'Ban'} & buttons(bob, 'alice')


async def test_a_removed_member_is_told_and_the_room_leaves_their_drawer(create_user: Callable[[], User]) -> None:
    root, alice, bob, carol = create_user(), create_user(), create_user(), create_user()
    for person, name in ((root, 'root'), (alice, 'alice'), (bob, 'bob'), (carol, 'carol')):
        await sign_up(person, name)
    await dev_room_of_three(alice, bob, carol)
    await member_menu(alice, 'bob')
    press_for(alice, 'bob', 'Remove')
    await bob.should_see('You were removed from this room by alice.', retries=50)
    await eventually(lambda: room_names(bob) == ['general'])
    await bob.should_not_see(kind=ui.textarea)  # no composer: nothing to send here
    assert can(bob) == []

    await member_menu(alice, 'carol')
    press_for(alice, 'carol', 'Ban')
    await carol.should_see('You were banned from this room by alice.', retries=50)
    alice.find(kind=RoomLive).trigger('invite')  # alice unbans her in the Invite dialog
    await alice.should_see('Banned', retries=30)
    with alice.scope(marker='banned-carol'):
        press(alice, 'Unban')
    await alice.should_see('carol may come back', retries=30)
    field(alice, 'Username').type('carol')
    press(alice, 'Invite')
    await eventually(lambda: room_names(carol) == ['dev', 'general'])


async def test_the_administrator_lists_every_room(create_user: Callable[[], User]) -> None:
    root, alice = create_user(), create_user()
    await sign_up(root, 'root')
    await sign_up(alice, 'alice')
    press(alice, 'New room')
    field(alice, 'Room name').type('secret')
    alice.find(kind=ui.checkbox, content='Private').click()
    press(alice, 'Create')
    await eventually(lambda: 'secret' in room_names(alice))

    await root.open('/all-rooms')
    await root.should_see(marker='all-secret')
    await root.should_see(marker='all-general')
    await alice.open('/all-rooms')
    await alice.should_see('Only the administrator can list every room')
    await alice.should_not_see(marker='all-secret')
