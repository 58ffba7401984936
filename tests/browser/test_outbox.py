"""A message sent just before the server died, never stored: after the reload it is back in the composer,
and sending it stores it once. (The composer's outbox, chat_ui/components/message_list.js.)"""
from __future__ import annotations

import os
import signal
from collections.abc import Callable

from selenium import webdriver
from selenium.webdriver.common.keys import Keys

from tests.support import App

from .helpers import field, send, sign_up, wait
from .test_reconnect import texts

COMPOSER = 'return document.querySelector(\'textarea[aria-label="Message"]\').value'


def test_a_message_the_dead_server_never_stored_comes_back_into_the_composer(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice = browser()
    sign_up(alice, app.url, 'alice')
    send(alice, 'stored before')
    wait(alice, lambda d: any('stored before' in t for t in texts(d)))

    assert app.process is not None
    os.killpg(app.process.pid, signal.SIGSTOP)  # frozen: the socket still looks connected to the page
    try:
        send(alice, 'in flight when it died')
        wait(alice, lambda d: d.execute_script(COMPOSER) == '')  # sent, as far as the page can tell
        alice.execute_script('window.before_the_restart = true')
    finally:
        app.stop(signal.SIGKILL)  # never stored: the server died with it
    app.start()  # same port, same database

    # NiceGUI reloads the page on the new server; the outbox gives the text back
    wait(alice, lambda d: d.execute_script('return !window.before_the_restart && !!window.socket?.connected'),
         timeout=40)
    wait(alice, lambda d: d.execute_script(COMPOSER) == 'in flight when it died', timeout=10)
    assert not any('in flight' in t for t in texts(alice))

    field(alice, 'Message').send_keys(Keys.ENTER)
    wait(alice, lambda d: any('in flight when it died' in t for t in texts(d)))
    alice.refresh()
    wait(alice, lambda d: any('stored before' in t for t in texts(d)))
    shown = texts(alice)
    assert sum('in flight when it died' in t for t in shown) == 1, shown
    assert alice.execute_script(COMPOSER) == ''
