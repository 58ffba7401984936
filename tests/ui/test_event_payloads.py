"""Crafted event payloads from a hostile page reach the message pane's handlers: none crashes, none leaks."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from nicegui.events import GenericEventArguments
from nicegui.testing import User

from chat_ui.components.message_list import MessageList

from .conftest import sign_up

GARBAGE: list[Any] = [None, {}, [], 'x', 1, -1, 2**80, 1.5, float('nan'), True, {'before': 'x'}, {'after': -5},
                      {'after': 2**70}, {'before': None}, {'after': [1]}, {'before': {'$gt': 0}}, {'after': True},
                      {'before': '1; DROP TABLE messages'}, {'after': 1e308}, ['after', 1]]


def pane_of(user: User) -> tuple[MessageList, list[tuple[str, tuple[Any, ...]]]]:
    (pane,) = user.find(kind=MessageList).elements
    calls: list[tuple[str, tuple[Any, ...]]] = []
    original = pane.run_method

    def record(name: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((name, args))
        return original(name, *args, **kwargs)

    pane.run_method = record  # type: ignore[method-assign]
    return pane, calls


@pytest.mark.parametrize('event', ['older', 'catchup', 'latest'])
async def test_garbage_payloads_get_answers_not_crashes(user: User, event: str) -> None:
    await sign_up(user, 'alice')
    pane, calls = pane_of(user)
    for payload in GARBAGE:
        user.find(kind=MessageList).trigger(event, payload)
    answer = {'older': 'prependOlder', 'catchup': 'catchUp', 'latest': 'setHistory'}[event]
    for _ in range(100):
        if len([name for name, _ in calls if name == answer]) >= len(GARBAGE):
            break
        await asyncio.sleep(0.05)
    answers = [args for name, args in calls if name == answer]
    assert len(answers) == len(GARBAGE), calls  # every event was answered (with a safe default)
    if event == 'older':  # nonsense "before" is read as 0: nothing older than nothing
        assert all(args == ([], False) for args in answers)
    assert not pane.is_deleted


async def test_a_page_left_open_after_leaving_reads_nothing_new(create_user: Callable[[], User]) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    alice_pane, _ = pane_of(alice)
    bob_pane, calls = pane_of(bob)
    services, room_id = bob_pane._services, int(bob_pane.props['roomId'])
    await services.rooms.leave(bob_pane._viewer, room_id)
    await services.messages.post(alice_pane._viewer, room_id, 'said after bob left', 'after-left')
    # the stale page, or a hostile script in it, asks for everything since the start
    await bob_pane._catch_up(GenericEventArguments(sender=bob_pane, client=bob_pane.client, args={'after': 0}))
    await bob_pane._load_older(GenericEventArguments(sender=bob_pane, client=bob_pane.client, args={'before': 99}))
    assert ('catchUp', ([], False)) in calls
    assert ('prependOlder', ([], False)) in calls
