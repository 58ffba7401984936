"""A catch-up that fails on the server (not a ChatError) does not freeze the page: it shows that it is
reconnecting, retries by itself, and then shows every message once, in order, the live ones that arrived
meanwhile included."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from tests.support import App

from .flaky_app import fail_next, failures_left
from .helpers import messages, send, sign_up, wait
from .test_reconnect import assert_once_in_order, texts

RECONNECTING = "return !!document.querySelector('[data-testid=reconnecting]')"


class FlakyApp(App):
    script = 'tests/browser/flaky_app.py'


@pytest.fixture
def flaky_app(tmp_path: Path) -> Iterator[FlakyApp]:
    server = FlakyApp(tmp_path / 'data', CHAT_MESSAGE_BURST='100')
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def test_a_failed_catch_up_is_retried_and_nothing_is_lost(
        flaky_app: FlakyApp, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, flaky_app.url, 'alice')
    sign_up(bob, flaky_app.url, 'bob')
    send(alice, 'before the cut')
    wait(bob, lambda d: any('before the cut' in t for t in texts(d)))

    bob.execute_script('window.socket.disconnect()')
    away = [f'while away {i}' for i in range(3)]
    for body in away:
        send(alice, body)
    wait(alice, lambda d: all(any(b in t for t in texts(d)) for b in away))
    fail_next(flaky_app.data_dir, 'after', 2)  # the next two catch-up reads fail with an unexpected error
    bob.execute_script('window.socket.connect()')
    wait(bob, lambda d: d.execute_script(RECONNECTING), timeout=15)  # the page says so, and retries in 1 s

    during = [f'during the retry {i}' for i in range(3)]  # live messages while the page waits to retry
    for body in during:
        send(alice, body)
    wait(bob, lambda d: all(any(b in t for t in texts(d)) for b in [*away, *during]), timeout=15)
    assert not failures_left(flaky_app.data_dir, 'after')  # both failures happened: the second retry (2 s) worked
    wait(bob, lambda d: not d.execute_script(RECONNECTING))
    assert_once_in_order(bob, ['before the cut', *away, *during])
    send(alice, 'and live again')
    wait(bob, lambda d: any('and live again' in t for t in texts(d)))
    assert_once_in_order(bob, ['before the cut', *away, *during, 'and live again'])
    seqs = [seq for seq, _ in messages(bob)]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f'a gap: {seqs}'


def test_a_failure_when_the_socket_comes_back_is_retried(
        flaky_app: FlakyApp, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, flaky_app.url, 'alice')
    sign_up(bob, flaky_app.url, 'bob')
    send(alice, 'before the cut')
    wait(bob, lambda d: any('before the cut' in t for t in texts(d)))

    bob.execute_script('window.socket.disconnect()')
    away = [f'while away {i}' for i in range(3)]
    for body in away:
        send(alice, body)
    wait(alice, lambda d: all(any(b in t for t in texts(d)) for b in away))
    fail_next(flaky_app.data_dir, 'get_room')  # the membership check made when the page's socket comes back
    bob.execute_script('window.socket.connect()')
    wait(bob, lambda d: all(any(b in t for t in texts(d)) for b in away), timeout=15)
    assert not failures_left(flaky_app.data_dir, 'get_room')
    send(alice, 'and live again')  # the page's socket is back in the room: live delivery goes on
    wait(bob, lambda d: any('and live again' in t for t in texts(d)))
    assert_once_in_order(bob, ['before the cut', *away, 'and live again'])
