"""Editing one's own message: "Edit" on one's own messages, the editor opened with the Markdown, one broadcast to
the room, the new text and the edited mark in every later read and in the catch-up after a reconnect. Rendered in
the browser (message_list.js; live in tests/browser/test_edit.py); here what passes through Python."""
from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from chat_ui.components.message_list import MessageList, socket_room

from .conftest import RoomEmits, eventually, sign_up
from .test_delete import pane_of


async def test_edit_own_message_goes_to_the_room_once_and_stays_edited(
        create_user: Callable[[], User], room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    alice_pane, alice_calls = pane_of(alice)
    bob_pane, bob_calls = pane_of(bob)
    assert alice_pane.props['editOwn'] is True
    services, room_id = alice_pane._services, int(alice_pane.props['roomId'])
    mine = await services.messages.post(alice_pane._viewer, room_id, 'helo *all*', 'c-mine')
    theirs = await services.messages.post(bob_pane._viewer, room_id, 'the plan', 'c-theirs')

    # "Edit": the editor opens with the Markdown; someone else's message is refused with a sentence
    alice.find(kind=MessageList).trigger('edit_start', {'seq': mine.seq})
    await eventually(lambda: ('startEdit', (mine.seq, 'helo *all*')) in alice_calls)
    alice.find(kind=MessageList).trigger('edit_start', {'seq': theirs.seq})
    await alice.should_see('You can only edit your own messages', retries=30)
    alice.find(kind=MessageList).trigger('edit', {'seq': theirs.seq, 'body': 'mine now'})
    alice.find(kind=MessageList).trigger('edit', {'seq': mine.seq, 'body': 'hello *all*'})
    await eventually(lambda: len(room_emits.events('message.edited')) == 1)
    (room, events), = [c for c in room_emits.calls if c[1][0]['type'] == 'message.edited']
    assert room == socket_room(room_id)  # once, to the room
    assert (events[0]['seq'], events[0]['html']) == (mine.seq, '<p>hello <em>all</em></p>')

    # bob's page was away: the catch-up after its reconnect brings what it shows that was edited
    bob.find(kind=MessageList).trigger('catchup', {'after': theirs.seq, 'from': 1})
    await eventually(lambda: any(name == 'catchUp' for name, _ in bob_calls))
    (args,) = [args for name, args in bob_calls if name == 'catchUp']
    missed, more, deleted, edited = args
    assert (missed, more, deleted) == ([], False, [])
    assert [(m['seq'], m['html'], m['edited']) for m in edited] == [(mine.seq, '<p>hello <em>all</em></p>', True)]

    await bob.open(f'/room/{room_id}')  # a page opened now shows it edited in its history
    (pane,) = bob.find(kind=MessageList).elements
    shown = {m['seq']: m for m in pane.props['history']}
    assert (shown[mine.seq]['edited'], shown[mine.seq]['html']) == (True, '<p>hello <em>all</em></p>')
    assert shown[theirs.seq]['edited'] is False and 'the plan' in shown[theirs.seq]['html']
