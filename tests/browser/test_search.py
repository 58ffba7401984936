"""Search in a real browser: the header box, a result, and the room opened around that message, marked."""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from services.bootstrap import bootstrap
from services.config import Settings
from tests.support import FAST_HASHER, App, running_app

from .helpers import button, field, messages, wait, wait_connected

PASSWORD = 'correct horse'
LATER = 80  # messages after the one searched for: more than a page's first history (50)


async def _seed(data_dir: Path) -> int:
    """alice in general: a message about a needle, then LATER others; the needle's seq."""
    services = bootstrap(Settings.from_env(env={'CHAT_RATE_LIMITS': 'off'}, data_dir=data_dir),
                         password_hasher=FAST_HASHER)
    await services.start()
    try:
        alice = await services.accounts.sign_up('alice', PASSWORD)
        general = (await services.rooms.default_room(alice)).id
        needle = await services.messages.post(alice, general, 'the needle is in the haystack', 'needle')
        for n in range(LATER):
            await services.messages.post(alice, general, f'hay {n}', f'hay-{n}')
        return needle.seq
    finally:
        await services.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[App, int]]:
    data = tmp_path / 'data'
    data.mkdir(parents=True)
    needle = asyncio.run(_seed(data))
    with running_app(data) as server:
        yield server, needle


def test_a_search_result_opens_the_room_at_the_message(seeded: tuple[App, int],
                                                       browser: Callable[..., webdriver.Chrome]) -> None:
    app, needle = seeded
    driver = browser(1280, 800)
    driver.get(f'{app.url}/login')
    field(driver, 'Username').send_keys('alice')
    field(driver, 'Password').send_keys(PASSWORD)
    button(driver, 'Sign in').click()
    wait(driver, lambda d: '/room/' in d.current_url, timeout=20)
    wait_connected(driver)

    field(driver, 'Search messages').send_keys('needle', Keys.ENTER)
    result = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid=search-result]'))
    assert '/search?q=needle' in driver.current_url
    assert result.find_element(By.TAG_NAME, 'mark').text == 'needle'
    result.click()

    wait(driver, lambda d: d.current_url.endswith(f'/room/1?seq={needle}'))
    marked = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, f'[data-seq="{needle}"][data-highlighted=true]'))
    assert 'the needle is in the haystack' in marked.text
    seqs = [seq for seq, _ in messages(driver)]
    newest = needle + LATER
    assert needle - 1 in seqs and needle + 1 in seqs and newest not in seqs  # the history around it, not the latest
    in_view = driver.execute_script(
        'const r = arguments[0].getBoundingClientRect(), l = document.querySelector(".chat-list")'
        '.getBoundingClientRect(); return r.top >= l.top && r.bottom <= l.bottom', marked)
    assert in_view, 'the marked message should be scrolled into view'

    wait_connected(driver)
    driver.find_element(By.XPATH, '//button[normalize-space()="Jump to latest messages"]').click()
    wait(driver, lambda d: [seq for seq, _ in messages(d)][-1:] == [newest])
