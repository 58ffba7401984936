"""The bench's attentive tab: the `read` listener found on the message list, message_list.js's read throttle
(at most once a gap, the last of a burst sent), and the frames counted by kind."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bench.attention import per_tab_second, receipts_off
from bench.page import PageShapeError, page_elements
from bench.reading import AttentiveTab, ReadThrottle, count_live, find_read_listener, newest_seq

from .test_bench_page import LIST, html_of, listener

READ_LIST = dict(LIST, props={**LIST['props'], 'lastRead': 100},
                 events=[*LIST['events'], listener('read', 'r')])


def test_the_read_listener_is_found_by_its_type_on_the_message_list() -> None:
    ids = find_read_listener(page_elements(html_of({'0': {'tag': 'q-layout', 'events': []}, '21': READ_LIST})))
    assert (ids.element, ids.listener, ids.last_read) == (21, 'r', 100)


def test_a_page_without_the_read_listener_stops_the_bench() -> None:
    with pytest.raises(PageShapeError, match='read'):
        find_read_listener(page_elements(html_of({'21': LIST})))
    elsewhere = {'21': LIST, '30': {'tag': 'div', 'props': {}, 'events': [listener('read', 'x')]}}
    with pytest.raises(PageShapeError):  # a `read` listener on another element is not the message list's
        find_read_listener(page_elements(html_of(elsewhere)))


async def test_reads_go_at_once_then_the_last_of_a_burst_when_the_gap_has_passed() -> None:
    sent: list[int] = []
    reader = ReadThrottle(100, sent.append, gap=0.05)
    reader.offer(101)
    assert sent == [101]
    for seq in (102, 103, 104):  # a burst inside the gap: nothing now, the newest when the gap ends
        reader.offer(seq)
    assert sent == [101]
    await asyncio.sleep(0.08)
    assert sent == [101, 104]
    reader.offer(105)  # the trailing read opened a new gap (readAt): no read at once
    assert sent == [101, 104]
    await asyncio.sleep(0.08)
    assert sent == [101, 104, 105]
    reader.offer(105)
    reader.offer(90)  # nothing newer than what was sent
    await asyncio.sleep(0.08)
    assert sent == [101, 104, 105]
    reader.cancel()


async def test_no_read_for_what_was_read_or_in_a_room_the_viewer_is_not_in() -> None:
    sent: list[int] = []
    ReadThrottle(100, sent.append, gap=0.05).offer(100)
    ReadThrottle(-1, sent.append, gap=0.05).offer(500)  # lastRead -1: not a member
    await asyncio.sleep(0.08)
    assert sent == []


def test_frames_are_read_as_the_bridge_sends_them() -> None:
    assert newest_seq({'room_id': 3, 'seq': 7}, 3) == 7
    assert newest_seq([{'room_id': 3, 'seq': 9}, {'room_id': 3, 'seq': 8}, {'room_id': 4, 'seq': 50}], 3) == 9
    assert newest_seq([{'room_id': 3, 'seq': '9'}, 'junk'], 3) == 0
    typing = {'v': 1, 'type': 'typing.changed', 'room_id': 3}
    receipts = {'v': 1, 'type': 'room.receipts', 'room_id': 3, 'readers': [[1, 'ann', 5]]}
    assert count_live([typing, receipts]) == 1
    assert count_live(receipts) == 1
    assert count_live([typing]) == 0


def attentive(reads: bool) -> tuple[AttentiveTab, list[tuple[int, str, Any]], list[Any]]:
    got: list[Any] = []
    tab = AttentiveTab('http://x', None, got.append, reads=reads)  # type: ignore[arg-type]  # no session needed
    emitted: list[tuple[int, str, Any]] = []
    tab._emit = lambda element, lid, *args: emitted.append((element, lid, *args))  # type: ignore[method-assign]
    tab.on_page(page_elements(html_of({'21': READ_LIST})))
    tab.room_id = 3
    receiver = tab.on_msg
    tab.on_msg = lambda data: tab._on_chat_msg(receiver, data)  # as open() wires it
    return tab, emitted, got


async def test_a_tab_reads_its_rooms_new_messages_once_ready_and_counts_every_kind() -> None:
    tab, emitted, got = attentive(reads=True)
    tab.on_msg({'room_id': 3, 'seq': 101})  # before the page is ready (its catch-up): no read
    assert emitted == []
    tab.ready_at = 1.0
    tab.on_msg([{'room_id': 3, 'seq': 102}, {'room_id': 3, 'seq': 103}])
    assert emitted == [(21, 'r', {'seq': 103})]
    assert tab.reads_sent == 1 and len(got) == 2
    tab._on_activity([{'room_id': 5}])
    tab._on_attn([{'room_id': 3, 'seq': 103}])
    tab._on_live([{'v': 1, 'type': 'room.receipts', 'room_id': 3, 'readers': []}])
    assert tab.frames == {'msg': 2, 'activity': 1, 'attn': 1, 'receipts': 1}
    await tab.close()


async def test_a_tab_with_reads_off_never_reads_but_still_counts() -> None:
    tab, emitted, _ = attentive(reads=False)
    tab.ready_at = 1.0
    tab.on_msg({'room_id': 3, 'seq': 150})
    assert emitted == [] and tab.reads_sent == 0 and tab.frames['msg'] == 1
    await tab.close()


def test_frames_per_tab_second_and_receipts_off(tmp_path: Path) -> None:
    before = {'tabs': 90, 'frames_msg': 0, 'frames_activity': 10, 'frames_attn': 0, 'frames_receipts': 0}
    after = {'tabs': 110, 'frames_msg': 400, 'frames_activity': 210, 'frames_attn': 100, 'frames_receipts': 0}
    assert per_tab_second(before, after, 2.0) == {'msg': 2.0, 'activity': 1.0, 'attn': 0.5, 'receipts': 0.0}
    db = tmp_path / 'chat.db'
    con = sqlite3.connect(db)
    with con:
        con.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, send_receipts BOOLEAN NOT NULL DEFAULT 1)')
        con.executemany('INSERT INTO users (id) VALUES (?)', [(1,), (2,)])
    con.close()
    assert receipts_off(db) == 2
    con = sqlite3.connect(db)
    assert con.execute('SELECT sum(send_receipts) FROM users').fetchone() == (0,)
    con.close()
