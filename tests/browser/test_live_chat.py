"""Two people in real Chromium windows talk in `general`: each sees the other's message live, once, in order."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support import App

from .helpers import field, messages, send, sign_up, wait


def test_two_users_exchange_messages_live(
        app: App, browser: Callable[..., webdriver.Chrome], tmp_path: Path) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    wait(alice, lambda d: any('bob joined' in text for _, text in messages(d)))  # a live notice, no reload

    send(alice, 'Hello **bob**, see `code`')
    wait(bob, lambda d: any('Hello bob, see code' in text for _, text in messages(d)))
    send(bob, 'Hi alice <script>window.pwned = 1</script>')
    wait(alice, lambda d: any('Hi alice' in text for _, text in messages(d)))

    for driver in (alice, bob):
        seqs = [seq for seq, _ in messages(driver)]
        assert seqs == sorted(set(seqs)), f'messages out of order or twice: {seqs}'
        texts = [text for _, text in messages(driver)]
        assert sum('Hello bob' in t for t in texts) == 1
        assert sum('Hi alice' in t for t in texts) == 1
        assert driver.execute_script('return window.pwned') is None
    bold = bob.find_element(By.CSS_SELECTOR, '[data-testid=message] .chat-body strong')
    assert bold.text == 'bob'
    assert '<script>' in alice.find_elements(By.CSS_SELECTOR, '[data-testid=message]')[-1].text
    alice.save_screenshot(str(tmp_path / 'room-desktop.png'))


def test_typing_shows_for_the_other_person_and_clears_on_send(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    typing_line = "return document.querySelector('[data-testid=typing]').innerText"
    field(alice, 'Message').send_keys('half a thou')
    wait(bob, lambda d: d.execute_script(typing_line) == 'alice is typing…')
    assert alice.execute_script(typing_line) == ''  # nobody sees their own typing
    field(alice, 'Message').send_keys('ght', Keys.ENTER)
    wait(bob, lambda d: any('half a thought' in t for _, t in messages(d)))
    wait(bob, lambda d: d.execute_script(typing_line) == '')


def test_typing_right_after_sending_still_shows(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    typing_line = "return document.querySelector('[data-testid=typing]').innerText"
    send(alice, 'first thought')
    wait(bob, lambda d: any('first thought' in t for _, t in messages(d)))
    field(alice, 'Message').send_keys('and a second')  # within the 2 s window of the first keystrokes
    wait(bob, lambda d: d.execute_script(typing_line) == 'alice is typing…')
    field(alice, 'Message').send_keys(Keys.ENTER)
    wait(bob, lambda d: d.execute_script(typing_line) == '')
    time.sleep(2.5)  # a throttled late event must not bring the indicator back after the send
    assert bob.execute_script(typing_line) == ''
