"""Issue 8 row 12: a person keeps at most CHAT_PAGES_PER_USER pages open; a new one closes the oldest.

The oldest page goes to /closed, which says why and offers to continue there (as WhatsApp Web's "use
here"); the newer pages keep working.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from .conftest import App
from .helpers import messages, send, sign_up, wait, wait_connected


@pytest.fixture
def two_pages_app(tmp_path: Path) -> Iterator[App]:
    server = App(tmp_path / 'data', CHAT_PAGES_PER_USER='2')
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def test_a_third_page_closes_the_oldest(two_pages_app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    driver = browser()
    sign_up(driver, two_pages_app.url, 'alice')  # page 1
    first = driver.current_window_handle
    for _ in range(2):  # pages 2 and 3
        driver.switch_to.new_window('tab')
        driver.get(f'{two_pages_app.url}/')
        wait(driver, lambda d: '/room/' in d.current_url, timeout=20)
        wait_connected(driver)
    newest = driver.current_window_handle
    driver.switch_to.window(first)
    wait(driver, lambda d: d.current_url.endswith('/closed'), timeout=20)
    body = driver.find_element(By.TAG_NAME, 'body').text
    assert 'This page was closed because you opened the chat in another tab or window' in body
    assert 'at most 2 open pages per person' in body
    driver.switch_to.window(newest)
    send(driver, 'still here')
    wait(driver, lambda d: any('still here' in text for _, text in messages(d)))
