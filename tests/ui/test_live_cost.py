"""Server work for one typing event does not grow with the number of open pages of the room.

A room-wide update is one Socket.IO emit per room, handled in the browser; it used to be an element update
on every open page (a NiceGUI label per page), which at 200 pages doubled the server's CPU.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from nicegui.outbox import Outbox
from nicegui.testing import User

from .conftest import RoomEmits, eventually, field, sign_up


async def test_one_typing_event_costs_the_same_with_1_or_10_open_pages(
        create_user: Callable[[], User], room_emits: RoomEmits, monkeypatch: pytest.MonkeyPatch) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    queued: list[Any] = []  # element updates and messages queued for any page
    original_update, original_message = Outbox.enqueue_update, Outbox.enqueue_message
    monkeypatch.setattr(Outbox, 'enqueue_update', lambda self, *a: (queued.append(a), original_update(self, *a)))
    monkeypatch.setattr(Outbox, 'enqueue_message', lambda self, *a: (queued.append(a), original_message(self, *a)))

    async def work_for_one_typing_event(text: str) -> tuple[int, int]:
        await asyncio.sleep(1.5)  # what opening pages caused went out (batched); typing may repeat
        queued.clear()
        room_emits.calls.clear()
        field(bob, 'Message').type(text).trigger('update:value', text)
        await eventually(lambda: bool(room_emits.events('typing.changed')))
        await asyncio.sleep(0.3)  # anything a page would do with it has been queued
        return len(queued), len([c for c in room_emits.calls if c[1][0]['type'] == 'typing.changed'])

    with_one_page = await work_for_one_typing_event('a')
    for _ in range(9):
        await alice.open('/room/1')
    with_ten_pages = await work_for_one_typing_event('b')
    assert with_one_page[1] == with_ten_pages[1] == 1  # one emit to the room's Socket.IO room
    assert with_ten_pages[0] == with_one_page[0]  # nothing per open page (the typist's own field aside)
