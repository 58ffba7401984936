"""Attention through Python (the badges themselves are drawn in the browser: tests/browser/test_attention.py): the
drawer comes with the server's counts, a new message reaches the drawers as one emit per room (not per page), read
positions reach the reader's pages at most once a second, "Mark all as read", mute and the receipts switch."""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from nicegui import core, ui
from nicegui.testing import User

from chat_ui.bridge import ACTIVITY_EVENT, ATTENTION_EVENT
from chat_ui.components.message_list import MessageList
from chat_ui.components.room_list import drawer_room, user_room
from chat_ui.components.room_live import RoomLive
from services.bootstrap import Services
from services.models import User as Account

from .conftest import eventually, html_of, sign_up


class Emits:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []  # (event, Socket.IO room, data)

    def of(self, event: str, room: str | None = None) -> list[Any]:
        return [data for e, r, data in self.calls if e == event and (room is None or r == room)]


@pytest.fixture
def emits(monkeypatch: pytest.MonkeyPatch) -> Emits:
    recorded = Emits()
    original = core.sio.emit

    async def emit(event: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        recorded.calls.append((event, str(kwargs.get('room')), data))
        await original(event, data, *args, **kwargs)

    monkeypatch.setattr(core.sio, 'emit', emit)
    return recorded


def badges(user: User) -> dict[str, tuple[int, int]]:
    """The drawer as the server rendered it: conversation name -> (data-unread, data-mentions)."""
    found = re.findall(r'data-unread="(\d+)" data-mentions="(\d+)"[^>]*>.*?<span class="chat-(?:room|dm)-name">'
                       r'([^<]*)</span>', html_of(user))
    return {name: (int(u), int(m)) for u, m, name in found}


def who(user: User) -> tuple[Services, Account]:
    (pane,) = user.find(kind=MessageList).elements
    return pane._services, pane._viewer


async def test_the_drawer_comes_with_the_counts_and_news_is_one_emit_per_room(
        create_user: Callable[[], User], emits: Emits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    services, alice_account = who(alice)
    _, bob_account = who(bob)
    general = (await services.rooms.default_room(alice_account)).id
    await bob.open('/dm/alice')
    for _ in range(2):  # bob has two pages open elsewhere
        await bob.open('/dm/alice')
    emits.calls.clear()
    await services.messages.post(alice_account, general, 'hello', 'a' * 24)
    await services.messages.post(alice_account, general, 'hi @bob', 'b' * 24)
    for i in range(3):
        await services.messages.post(alice_account, general, f'more {i}', f'{i}' * 24)
    await eventually(lambda: len([s for batch in emits.of(ACTIVITY_EVENT) for s in batch]) == 5)
    assert {room for e, room, _ in emits.calls if e == ACTIVITY_EVENT} == {drawer_room(general)}
    summaries = [s for batch in emits.of(ACTIVITY_EVENT) for s in batch]
    assert [(s['author'], s['text'], s['mentions']) for s in summaries][:2] == [
        ('alice', 'hello', []), ('alice', 'hi @bob', [bob_account.id])]
    assert len(emits.of(ACTIVITY_EVENT)) <= 2, 'one emit per room a second, whatever the number of pages'

    await bob.open('/dm/alice')  # a new page: the server's counts in its drawer
    assert badges(bob)['general'] == (5, 1)
    assert badges(bob)['alice'] == (0, 0)


async def test_read_positions_reach_the_readers_pages_coalesced(create_user: Callable[[], User],
                                                                emits: Emits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    services, alice_account = who(alice)
    _, bob_account = who(bob)
    general = (await services.rooms.default_room(alice_account)).id
    for i in range(5):
        await services.messages.post(alice_account, general, f'm{i}', f'{i}' * 24)
    latest = (await services.messages.latest(bob_account, general, 1))[0].seq
    emits.calls.clear()
    for seq in range(latest - 4, latest + 1):  # five reads in a burst: bob's pages hear them at most once a second
        await services.reads.mark_read(bob_account, general, seq)
    await asyncio.sleep(1.3)
    sent = emits.of(ATTENTION_EVENT, user_room(bob_account.id))
    assert 1 <= len(sent) <= 2
    assert sent[-1] == [{'room_id': general, 'seq': latest, 'unread': 0, 'mentions': 0, 'top': latest}]
    receipts = [e for _, room, events in emits.calls if room == f'chat-room-{general}' and isinstance(events, list)
                for e in events if isinstance(e, dict) and e.get('type') == 'room.receipts']
    assert 1 <= len(receipts) <= 2, 'receipts go to the room coalesced too'
    assert receipts[-1]['readers'] == [[bob_account.id, 'bob', latest]]


async def test_mark_all_read_mute_and_the_receipts_switch(create_user: Callable[[], User], emits: Emits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    services, alice_account = who(alice)
    _, bob_account = who(bob)
    general = (await services.rooms.default_room(alice_account)).id
    await bob.open('/dm/alice')
    await services.messages.post(alice_account, general, 'unread one', 'c' * 24)
    await bob.open('/dm/alice')
    assert badges(bob)['general'] == (1, 0)
    drawer_button_action(bob, 'mark-all-read')
    await eventually(lambda: bool(emits.of(ATTENTION_EVENT, user_room(bob_account.id))))
    assert (await services.reads.summary(bob_account))[general].unread == 0

    await bob.open(f'/room/{general}')
    (live,) = bob.find(kind=RoomLive).elements
    assert live.props['muted'] is False
    bob.find(kind=RoomLive).trigger('mute', {'muted': True})
    await eventually(lambda: any(c == [{'room_id': general, 'muted': True}]
                                 for c in emits.of(ATTENTION_EVENT, user_room(bob_account.id))))
    assert (await services.reads.summary(bob_account))[general].muted
    bob.find(kind=RoomLive).trigger('mute', {'muted': 'yes'})  # a crafted event changes nothing
    await asyncio.sleep(0.2)
    assert (await services.reads.summary(bob_account))[general].muted

    await bob.open('/account')
    assert await services.reads.sends_receipts(bob_account)
    bob.find(kind=ui.switch, content='Send read receipts').click()
    await eventually(lambda: not bob.find(kind=ui.switch).elements.pop().value)
    await asyncio.sleep(0.2)
    assert not await services.reads.sends_receipts(bob_account)
    await bob.open(f'/room/{general}')
    (pane,) = bob.find(kind=MessageList).elements
    assert pane.props['receipts'] is None, 'who sends no receipts sees none'


def drawer_button_action(user: User, action: str) -> None:
    (element,) = user.find(marker='room-list').elements
    assert f'data-action="{action}"' in str(getattr(element, 'content', ''))
    user.find(marker='room-list').trigger('click', action)
