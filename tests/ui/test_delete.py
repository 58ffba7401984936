"""Deleting a message: "Delete" where the policy allows it, one broadcast to the room, and "message deleted" in
every later read (history, older pages, the catch-up after a reconnect). Rendered in the browser (message_list.js;
live in tests/browser/test_conversations.py); here what passes through Python."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from nicegui.testing import User

from chat_ui.components.message_list import MessageList, socket_room

from .conftest import RoomEmits, eventually, sign_up


def pane_of(user: User) -> tuple[MessageList, list[tuple[str, tuple[Any, ...]]]]:
    (pane,) = user.find(kind=MessageList).elements
    calls: list[tuple[str, tuple[Any, ...]]] = []
    original = pane.run_method

    def record(name: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((name, args))
        return original(name, *args, **kwargs)

    pane.run_method = record  # type: ignore[method-assign]
    return pane, calls


async def test_delete_own_message_goes_to_the_room_once_and_stays_deleted(
        create_user: Callable[[], User], room_emits: RoomEmits) -> None:
    root, bob = create_user(), create_user()
    await sign_up(root, 'root')  # the administrator: may delete anyone's
    await sign_up(bob, 'bob')
    bob_pane, bob_calls = pane_of(bob)
    root_pane, _ = pane_of(root)
    assert (bob_pane.props['deleteOwn'], bob_pane.props['deleteAny']) == (True, False)  # "Delete" on his own only
    assert (root_pane.props['deleteOwn'], root_pane.props['deleteAny']) == (True, True)
    services, room_id = bob_pane._services, int(bob_pane.props['roomId'])
    mine = await services.messages.post(bob_pane._viewer, room_id, 'oops, wrong room', 'c-mine')
    theirs = await services.messages.post(root_pane._viewer, room_id, 'the plan', 'c-theirs')

    bob.find(kind=MessageList).trigger('delete', {'seq': theirs.seq})  # a crafted event: refused, said why
    await bob.should_see('Only the owner or a moderator can do that', retries=30)
    bob.find(kind=MessageList).trigger('delete', {'seq': mine.seq})
    await eventually(lambda: len(room_emits.events('message.deleted')) == 1)
    (room, events), = [c for c in room_emits.calls if c[1][0]['type'] == 'message.deleted']
    assert room == socket_room(room_id) and events[0]['seq'] == mine.seq  # once, to the room

    await root.open(f'/room/{room_id}')  # a page opened now gets it deleted in its history
    (pane,) = root.find(kind=MessageList).elements
    shown = {m['seq']: m for m in pane.props['history']}
    assert (shown[mine.seq]['deleted'], shown[mine.seq]['html']) == (True, '')
    assert shown[theirs.seq]['deleted'] is False and 'the plan' in shown[theirs.seq]['html']

    # bob's page was away: the catch-up after its reconnect says which of the messages it shows were deleted
    bob.find(kind=MessageList).trigger('catchup', {'after': theirs.seq, 'from': 1})
    await eventually(lambda: any(name == 'catchUp' for name, _ in bob_calls))
    (args,) = [args for name, args in bob_calls if name == 'catchUp']
    assert args == ([], False, [mine.seq])


async def test_nonsense_deletions_are_refused_and_nothing_is_broadcast(
        user: User, room_emits: RoomEmits) -> None:
    await sign_up(user, 'alice')
    for payload in (None, {}, {'seq': 'x'}, {'seq': -1}, {'seq': 1}, {'seq': 999}, {'seq': True}):
        user.find(kind=MessageList).trigger('delete', payload)
    await asyncio.sleep(0.3)
    assert room_emits.events('message.deleted') == []  # a notice (seq 1) and unknown seqs are not deleted
    await user.should_see('Notices cannot be deleted')
