"""Two simulated people in `general`: typing, presence, membership notices and history.

Live message delivery skips NiceGUI elements (one Socket.IO broadcast per room, appended in the
browser), so it is tested in real Chromium (tests/browser); here we check what passes through Python.
"""
from __future__ import annotations

from collections.abc import Callable

import pytest
from nicegui.testing import User

from chat_ui.components.message_list import MessageList, socket_room

from .conftest import RoomEmits, composer_says, eventually, field, press, sign_up


def history(user: User) -> list[dict[str, object]]:
    (pane,) = user.find(kind=MessageList).elements
    return list(pane.props['history'])


def typing_of(room_emits: RoomEmits) -> list[tuple[str, bool]]:
    return [(str(e['username']), bool(e['typing'])) for e in room_emits.events('typing.changed')]


async def test_typing_goes_to_the_room_and_sending_clears_it(create_user: Callable[[], User],
                                                             room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    field(bob, 'Message').type('hel').trigger('update:value', 'hel')
    await eventually(lambda: typing_of(room_emits) == [('bob', True)])
    (room, _), = [c for c in room_emits.calls if c[1][0]['type'] == 'typing.changed']
    assert room == socket_room(1)  # once, to the room's Socket.IO room (the browser hides the typist's own)
    field(bob, 'Message').type('lo **alice**')
    press(bob, 'Send')
    await eventually(lambda: typing_of(room_emits) == [('bob', True), ('bob', False)])
    await bob.should_not_see('hello **alice**', retries=30)  # the composer was emptied

    await alice.open('/')
    bodies = [m['html'] for m in history(alice)]
    assert any('hello <strong>alice</strong>' in str(b) for b in bodies), bodies
    notices = [m['body'] for m in history(alice) if m['kind'] == 'join']
    assert notices == ['alice joined', 'bob joined']
    seqs = [int(str(m['seq'])) for m in history(alice)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


async def test_two_people_typing(create_user: Callable[[], User], room_emits: RoomEmits) -> None:
    alice, bob, carol = create_user(), create_user(), create_user()
    for user, name in ((alice, 'alice'), (bob, 'bob'), (carol, 'carol')):
        await sign_up(user, name)
    field(bob, 'Message').type('a').trigger('update:value', 'a')
    field(carol, 'Message').type('b').trigger('update:value', 'b')
    await eventually(lambda: sorted(typing_of(room_emits)) == [('bob', True), ('carol', True)])


async def test_membership_and_presence_go_to_the_room_with_the_member_list(
        create_user: Callable[[], User], room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    await alice.should_see('Members (1)')  # as alice's page was built
    await eventually(lambda: any(s['total'] == 2 for s in room_emits.events('room.members')))
    (joined,) = [e for e in room_emits.events('membership.changed') if e['username'] == 'bob']
    assert (joined['joined'], joined['member_count']) == (True, 2)
    snapshot = [s for s in room_emits.events('room.members') if s['total'] == 2][-1]
    assert [m[1] for m in snapshot['members']] == ['alice', 'bob']  # the list itself, the same for every viewer
    bob_id = snapshot['members'][1][0]
    await eventually(lambda: any(e['user_id'] == bob_id and e['status'] == 'online'
                                 for e in room_emits.events('presence.changed')), retries=60)
    await bob.open('/')
    await bob.should_see('Members (2)')  # a page built now starts from the current list


@pytest.mark.parametrize('body', ['', '   \n  ', 'x' * 4001])
async def test_bad_messages_are_refused_with_a_reason(user: User, body: str) -> None:
    await sign_up(user, 'alice')
    field(user, 'Message').type(body)
    press(user, 'Send')
    expected = 'Message is too long' if body.strip() else 'Message is empty'
    await composer_says(user, expected)
    if body.strip():
        await composer_says(user, '4,001 / 4,000')  # the counter near the limit; the text came back to fix
