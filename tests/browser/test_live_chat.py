"""Two people in real Chromium windows talk in `general`: each sees the other's message live, once, in order."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from .conftest import App
from .helpers import messages, send, sign_up, wait


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
