"""Editing a room's topic from its header: the owner, a moderator or the administrator may (services/policy.py);
every open page of the room follows live.

The topic line is rendered in the browser (room_live.js, tested live in tests/browser/test_topic.py); here: the
dialog, the one broadcast to the room, and the stored topic a page opens with."""
from __future__ import annotations

from collections.abc import Callable

from nicegui import ui
from nicegui.testing import User

from chat_ui.components.room_live import RoomLive

from .conftest import RoomEmits, eventually, field, press, sign_up


def topic_line(user: User) -> str:
    """The topic the page was rendered with."""
    (live,) = user.find(kind=RoomLive).elements
    return str(live.props['topic'])


def can(user: User) -> list[str]:
    """What the page's controls offer (room_live.js shows "Edit topic" for set_topic, and so on)."""
    (live,) = user.find(kind=RoomLive).elements
    return list(live.props['can'])


def broadcast_topics(room_emits: RoomEmits) -> list[str]:
    return [str(e['room']['topic']) for e in room_emits.events('room.updated')]


def dialog_open(user: User) -> bool:
    # the browser deletes a closed dialog when its hide animation ends; the User fixture has no animations
    return any(dialog.value for dialog in user.find(kind=ui.dialog).elements)


async def test_the_administrator_edits_the_topic_and_every_page_follows(create_user: Callable[[], User],
                                                                      room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')  # the first account: the site's administrator
    await sign_up(bob, 'bob')
    assert topic_line(bob) == 'Company-wide chat'

    alice.find(kind=RoomLive).trigger('edit_topic')
    await alice.should_see('Edit topic')
    assert field(alice, 'Topic').elements.pop().value == 'Company-wide chat'  # starts from the current topic
    field(alice, 'Topic').clear().type('  Launch on Friday  ')
    press(alice, 'Save')
    await eventually(lambda: broadcast_topics(room_emits) == ['Launch on Friday'])  # once, to every open page
    await eventually(lambda: not dialog_open(alice))

    await bob.open('/')  # and it is stored
    assert topic_line(bob) == 'Launch on Friday'


async def test_a_plain_member_is_told_who_may_edit_the_topic(create_user: Callable[[], User],
                                                           room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')  # a plain member of general (a room of the system: no owner)
    assert 'set_topic' in can(alice) and 'set_topic' not in can(bob)  # only alice's page shows "Edit topic"
    bob.find(kind=RoomLive).trigger('edit_topic')  # a page that sends it anyway (a crafted event)
    await bob.should_see('Edit topic')
    field(bob, 'Topic').clear().type('mine now')
    press(bob, 'Save')
    await bob.should_see('Only the owner or a moderator can do that', retries=30)
    assert broadcast_topics(room_emits) == [] and topic_line(bob) == 'Company-wide chat'


async def test_a_bad_topic_is_explained_in_the_dialog_and_nothing_changes(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    alice.find(kind=RoomLive).trigger('edit_topic')
    await alice.should_see('Edit topic')
    field(alice, 'Topic').clear().type('x' * 201)
    press(alice, 'Save')
    await alice.should_see('Topic is too long (201 of 200 characters).', retries=30)
    await alice.should_see('Save')  # still open, the text there to fix
    press(alice, 'Cancel')
    await eventually(lambda: not dialog_open(alice))
    assert topic_line(alice) == topic_line(bob) == 'Company-wide chat'
