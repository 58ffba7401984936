"""Direct messages as people use them: /dm/<name>, "New message", the drawer's "Direct messages", the page's name."""
from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from chat_ui.components.room_live import RoomLive

from .conftest import dm_names, eventually, field, press, room_names, sign_up
from .test_invitations import invite


def header_name(user: User) -> str:
    (live,) = user.find(kind=RoomLive).elements
    return str(live.props['name'])


def room_id(user: User) -> int:
    """The room of the page shown (a redirect leaves no trace in the User fixture's history)."""
    (live,) = user.find(kind=RoomLive).elements
    return int(live.props['roomId'])


async def test_dm_link_opens_the_conversation_once_and_lands_on_its_page(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    await alice.open('/dm/Bob')
    await alice.should_see('Members (2)', retries=50)
    dm_id = room_id(alice)  # redirected to the conversation's own page
    assert dm_id != 1  # not general
    assert header_name(alice) == 'bob'  # named after the other person, not the (empty) room name
    assert dm_names(alice) == ['bob'] and room_names(alice) == ['general']  # listed apart from the rooms
    await eventually(lambda: dm_names(bob) == ['alice'])  # in bob's drawer at once, live

    await bob.open('/dm/alice')  # the same conversation from the other side
    await bob.should_see('Members (2)', retries=50)
    assert room_id(bob) == dm_id and header_name(bob) == 'alice'


async def test_a_dm_link_to_nobody_or_oneself_is_explained(user: User) -> None:
    await sign_up(user, 'alice')
    await user.open('/dm/nobody')
    await user.should_see('No such user: nobody')
    await user.open('/dm/alice')
    await user.should_see('Pick someone other than yourself.')
    assert dm_names(user) == []


async def test_new_message_starts_a_dm_or_a_group(create_user: Callable[[], User]) -> None:
    alice, bob, carol = create_user(), create_user(), create_user()
    for person, name in ((bob, 'bob'), (carol, 'carol'), (alice, 'alice')):
        await sign_up(person, name)

    press(alice, 'New message')
    field(alice, 'People').type('ca')
    await eventually(lambda: field(alice, 'People').elements.pop().props['_autocomplete'] == ['carol'])
    field(alice, 'People').trigger('keydown.tab')  # takes the suggestion, as Tab does in the browser
    press(alice, 'Start')
    await alice.should_see('Members (2)', retries=50)
    assert header_name(alice) == 'carol'

    press(alice, 'New message')
    field(alice, 'People').type('carol, b')
    await eventually(lambda: field(alice, 'People').elements.pop().props['_autocomplete'] == ['carol, bob'])
    field(alice, 'People').type('ob')
    press(alice, 'Start')
    await alice.should_see('Members (3)', retries=50)
    assert header_name(alice) == 'bob, carol'
    assert dm_names(alice) == ['bob, carol', 'carol']
    await eventually(lambda: dm_names(bob) == ['alice, carol'])
    await eventually(lambda: dm_names(carol) == ['alice', 'alice, bob'])


async def test_new_message_explains_a_wrong_name_and_starts_nothing(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    press(alice, 'New message')
    press(alice, 'Start')
    await alice.should_see('Name at least one person.')
    field(alice, 'People').type('bob, nobody')
    press(alice, 'Start')
    await alice.should_see('No such user: nobody')
    assert dm_names(alice) == [] and dm_names(bob) == []


async def test_message_on_a_member_entry_opens_the_dm_with_them(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    alice.find(kind=RoomLive).trigger('member', {'username': 'bob'})  # "Actions for bob" in the member panel
    await alice.should_see(marker='member-actions-bob', retries=30)
    with alice.scope(marker='member-actions-bob'):
        press(alice, 'Message')
    await alice.should_see('Members (2)', retries=50)
    assert header_name(alice) == 'bob' and room_id(alice) != 1
    await eventually(lambda: dm_names(bob) == ['alice'])


async def test_adding_someone_to_a_group_renames_it_in_every_members_drawer(
        create_user: Callable[[], User]) -> None:
    alice, bob, carol, dave = create_user(), create_user(), create_user(), create_user()
    for person, name in ((bob, 'bob'), (carol, 'carol'), (dave, 'dave'), (alice, 'alice')):
        await sign_up(person, name)
    press(alice, 'New message')
    field(alice, 'People').type('bob, carol')
    press(alice, 'Start')
    await alice.should_see('Members (3)', retries=50)
    await eventually(lambda: dm_names(carol) == ['alice, bob'])
    await invite(alice, 'dave')
    await eventually(lambda: dm_names(dave) == ['alice, bob, carol'])  # the one added: his own event
    await eventually(lambda: dm_names(carol) == ['alice, bob, dave'])  # the others: live, without a reload
    await eventually(lambda: dm_names(bob) == ['alice, carol, dave'])
