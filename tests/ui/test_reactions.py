"""Reactions and replies through Python: "React" (a chip's click too) toggles mine with one broadcast to the room;
a page back from away re-reads the reactions it shows; the composer sends what a message answers; a reply's parent
outside the window is loaded around it. Drawn in the browser (message_list.js; live in
tests/browser/test_reactions.py)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable

from nicegui.testing import User

from chat_ui.components.message_list import MessageList, socket_room

from .conftest import RoomEmits, eventually, field, sign_up
from .test_delete import pane_of

UP = '\U0001F44D'


def send(user: User, args: dict[str, object]) -> None:
    """Enter in the composer as its script sends it (composer.py, _SEND_JS): text, client id, what it answers."""
    field(user, 'Message').trigger('keydown.enter.exact.prevent', args)


async def test_a_reaction_goes_to_the_room_once_and_comes_back_after_a_reconnect(
        create_user: Callable[[], User], room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    alice_pane, _ = pane_of(alice)
    bob_pane, bob_calls = pane_of(bob)
    assert (bob_pane.props['canReact'], bob_pane.props['canReply']) == (True, True)
    services, room_id = alice_pane._services, int(alice_pane.props['roomId'])
    said = await services.messages.post(alice_pane._viewer, room_id, 'lunch?', 'c-lunch')

    bob.find(kind=MessageList).trigger('react', {'seq': said.seq, 'emoji': UP})
    await eventually(lambda: len(room_emits.events('reaction.changed')) == 1)
    (room, events), = [c for c in room_emits.calls if c[1][0]['type'] == 'reaction.changed']
    assert room == socket_room(room_id)  # once, to the room
    assert {k: events[0][k] for k in ('seq', 'emoji', 'username', 'added')} == {
        'seq': said.seq, 'emoji': UP, 'username': 'bob', 'added': True}

    # a hostile page: arguments of the wrong kind change nothing; a word is not an emoji
    for args in ({'seq': 'x', 'emoji': UP}, {'seq': said.seq, 'emoji': 7}, [said.seq, UP], None):
        bob.find(kind=MessageList).trigger('react', args)
    bob.find(kind=MessageList).trigger('react', {'seq': said.seq, 'emoji': 'like'})
    await bob.should_see('That is not an emoji', retries=30)
    assert len(room_emits.events('reaction.changed')) == 1

    # bob's page was away: its reconnect catch-up re-reads the reactions of what it shows
    bob.find(kind=MessageList).trigger('catchup', {'after': said.seq, 'from': 1})
    await eventually(lambda: any(name == 'setReactions' for name, _ in bob_calls))
    (args,) = [args for name, args in bob_calls if name == 'setReactions']
    assert args == ([[said.seq, [{'emoji': UP, 'count': 1, 'user_ids': [bob_pane._viewer.id], 'names': ['bob']}]]],
                    1, said.seq)

    await alice.open(f'/room/{room_id}')  # a page opened now has the chip in its history
    (pane,) = alice.find(kind=MessageList).elements
    shown = {m['seq']: m for m in pane.props['history']}
    assert shown[said.seq]['reactions'] == [
        {'emoji': UP, 'count': 1, 'user_ids': [bob_pane._viewer.id], 'names': ['bob']}]


async def test_the_composer_sends_what_a_message_answers_and_a_far_parent_is_loaded_around_it(
        create_user: Callable[[], User]) -> None:
    alice = create_user()
    await sign_up(alice, 'alice')
    pane, calls = pane_of(alice)
    services, room_id, me = pane._services, int(pane.props['roomId']), pane._viewer
    parent = await services.messages.post(me, room_id, 'the plan\nin detail', 'c-plan')
    for i in range(80):  # past the page's window (the store: no message limit)
        await services.store.post_message(room_id, me, f'filler {i}', f'<p>filler {i}</p>', f'c-fill-{i}')

    send(alice, {'text': 'agreed', 'cid': 'ab' * 12, 'reply_to': parent.seq})
    for _ in range(50):
        if (await services.messages.latest(me, room_id, 1))[0].body == 'agreed':
            break
        await asyncio.sleep(0.1)
    reply = (await services.messages.latest(me, room_id, 1))[0]
    assert reply.body == 'agreed' and reply.reply_to is not None
    assert (reply.reply_to.seq, reply.reply_to.author, reply.reply_to.excerpt) == (parent.seq, 'alice', 'the plan')

    # a crafted reply_to is refused by the service with a sentence, the text given back
    send(alice, {'text': 'to nowhere', 'cid': 'cd' * 12, 'reply_to': 99_999})
    await alice.should_see('The message you reply to does not exist', retries=30)

    alice.find(kind=MessageList).trigger('around', {'seq': parent.seq})
    await eventually(lambda: any(name == 'showAround' for name, _ in calls))
    (args,) = [args for name, args in calls if name == 'showAround']
    window, has_older, focus = args
    assert focus == parent.seq and [m['seq'] for m in window] == list(range(1, 51))  # near the start: from seq 1
    assert has_older is False
