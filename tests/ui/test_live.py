"""Two simulated people in `general`: typing, presence, membership notices and history.

Live message delivery skips NiceGUI elements (one Socket.IO broadcast per room, appended in the
browser), so it is tested in real Chromium (tests/browser); here we check what passes through Python.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from nicegui.testing import User

from chat_ui.components.message_list import MessageList

from .conftest import composer_says, field, press, sign_up
from .conftest import presence as members


def history(user: User) -> list[dict[str, object]]:
    (pane,) = user.find(kind=MessageList).elements
    return list(pane.props['history'])


def presence(user: User, name: str) -> str:
    return members(user).get(name, 'absent')


async def test_typing_is_shown_to_others_and_cleared_by_sending(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    field(bob, 'Message').type('hel').trigger('update:value', 'hel')
    await alice.should_see('bob is typing…', retries=30)
    await bob.should_not_see('bob is typing…')  # nobody is told about their own typing
    field(bob, 'Message').type('lo **alice**')
    press(bob, 'Send')
    await alice.should_not_see('bob is typing…', retries=30)
    await bob.should_not_see('hello **alice**', retries=30)  # the composer was emptied

    await alice.open('/')
    bodies = [m['html'] for m in history(alice)]
    assert any('hello <strong>alice</strong>' in str(b) for b in bodies), bodies
    notices = [m['body'] for m in history(alice) if m['kind'] == 'join']
    assert notices == ['alice joined', 'bob joined']
    seqs = [int(str(m['seq'])) for m in history(alice)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


async def test_two_people_typing(create_user: Callable[[], User]) -> None:
    alice, bob, carol = create_user(), create_user(), create_user()
    for user, name in ((alice, 'alice'), (bob, 'bob'), (carol, 'carol')):
        await sign_up(user, name)
    field(bob, 'Message').type('a').trigger('update:value', 'a')
    field(carol, 'Message').type('b').trigger('update:value', 'b')
    await alice.should_see('bob and carol are typing…', retries=30)


async def test_presence_and_member_count_follow_sign_ups(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    assert presence(alice, 'alice') == 'online'  # the viewer is online by definition
    await sign_up(bob, 'bob')
    await alice.should_see('Members (2)', retries=50)
    for _ in range(50):
        if presence(alice, 'bob') == 'online':
            break
        await asyncio.sleep(0.1)
    assert presence(alice, 'bob') == 'online'
    await alice.should_see(marker='member-count')
    (count,) = alice.find(marker='member-count').elements
    assert count.props['label'] == '2' or getattr(count, 'text', '') == '2'


@pytest.mark.parametrize('body', ['', '   \n  ', 'x' * 4001])
async def test_bad_messages_are_refused_with_a_reason(user: User, body: str) -> None:
    await sign_up(user, 'alice')
    field(user, 'Message').type(body)
    press(user, 'Send')
    expected = 'Message is too long' if body.strip() else 'Message is empty'
    await composer_says(user, expected)
    if body.strip():
        await composer_says(user, '4,001 / 4,000')  # the counter near the limit; the text came back to fix
