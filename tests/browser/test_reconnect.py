"""A page that loses its connection shows every message it missed, in order, exactly once, without a reload by hand."""
from __future__ import annotations

import time
from collections.abc import Callable

from selenium import webdriver
from selenium.webdriver.common.keys import Keys

from tests.support import App

from .helpers import field, messages, send, sign_up, wait, wait_connected


def texts(driver: webdriver.Chrome) -> list[str]:
    return [text for _, text in messages(driver)]


def assert_once_in_order(driver: webdriver.Chrome, expected: list[str]) -> None:
    seqs = [seq for seq, _ in messages(driver)]
    assert seqs == sorted(set(seqs)), f'out of order or twice: {seqs}'
    shown = texts(driver)
    for body in expected:
        assert sum(body in text for text in shown) == 1, f'{body!r} shown {sum(body in t for t in shown)} times'
    positions = [next(i for i, text in enumerate(shown) if body in text) for body in expected]
    assert positions == sorted(positions)


def test_cut_socket_catches_up_on_reconnect(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    send(alice, 'before the cut')
    wait(bob, lambda d: any('before the cut' in t for t in texts(d)))

    bob.execute_script('window.socket.disconnect()')  # the network goes away; no automatic reconnect
    sent = [f'while away {i}' for i in range(8)]
    for body in sent:
        send(alice, body)
    wait(alice, lambda d: all(any(b in t for t in texts(d)) for b in sent))
    time.sleep(0.5)
    assert not any('while away' in t for t in texts(bob)), 'a cut page cannot have received anything'

    bob.execute_script('window.socket.connect()')
    wait(bob, lambda d: all(any(b in t for t in texts(d)) for b in sent), timeout=15)
    assert_once_in_order(bob, ['before the cut', *sent])
    send(alice, 'after the reconnect')  # and live delivery goes on
    wait(bob, lambda d: any('after the reconnect' in t for t in texts(d)))
    assert_once_in_order(bob, ['before the cut', *sent, 'after the reconnect'])


def test_server_restart_pages_come_back_with_everything(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    first = [f'first life {i}' for i in range(5)]
    for body in first:
        send(alice, body)
    wait(bob, lambda d: all(any(b in t for t in texts(d)) for b in first))

    before = {driver: driver.execute_script('return window.clientId') for driver in (alice, bob)}
    app.stop()
    app.start()
    # both pages notice and come back by themselves: NiceGUI reloads a page whose client the new process
    # does not know, and the reloaded page opens on the room's latest history
    for driver in (alice, bob):
        wait(driver, lambda d: d.execute_script('return window.clientId') not in (None, before[d]), timeout=30)
        wait_connected(driver)
    second = [f'second life {i}' for i in range(5)]
    for body in second:
        send(alice, body)
    wait(bob, lambda d: all(any(b in t for t in texts(d)) for b in second), timeout=30)
    assert_once_in_order(bob, [*first, *second])


def test_a_message_typed_while_the_server_is_down_is_not_lost(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    before = alice.execute_script('return window.clientId')
    app.stop()
    send(alice, 'typed during the outage')  # Enter while disconnected: nothing can store it yet
    app.start()
    wait(alice, lambda d: d.execute_script('return window.clientId') not in (None, before), timeout=30)
    wait_connected(alice)
    # the page came back by itself with the words still in the composer, visibly not sent
    wait(alice, lambda d: field(d, 'Message').get_attribute('value') == 'typed during the outage')
    assert not any('typed during the outage' in t for t in texts(alice))
    field(alice, 'Message').send_keys(Keys.ENTER)  # the retry the person makes
    wait(bob, lambda d: any('typed during the outage' in t for t in texts(d)), timeout=30)
    wait(alice, lambda d: field(d, 'Message').get_attribute('value') == '')
    assert sum('typed during the outage' in t for t in texts(bob)) == 1
    alice.refresh()  # a sent message does not come back as a draft
    wait_connected(alice)
    time.sleep(0.5)
    assert field(alice, 'Message').get_attribute('value') == ''
