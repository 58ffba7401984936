"""The member panel and the member count follow joins, leaves and presence live (room_live.js), in real Chromium.

Each change reaches alice's page as one broadcast to the room; her page is never reloaded or re-rendered by the
server for it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.support import App, running_app

from .helpers import button, click, sign_up, wait, wait_connected

PANEL = ("return [...document.querySelectorAll('[data-testid=member]')]"
         ".map(e => e.dataset.user + ':' + e.dataset.presence)")
TITLE = "return document.querySelector('section[aria-label=Members] h2').innerText"
COUNT = "return document.querySelector('button[aria-label^=\"Members:\"]').getAttribute('aria-label')"

# what reaches alice's page over its socket: NiceGUI element updates, and our room broadcasts by wire type
RECORD = """window.seenByTest = [];
window.socket.on('update', (m) => Object.values(m).forEach((e) => window.seenByTest.push('update:' + (e && e.tag))));
window.socket.on('chat:live', (events) => events.forEach((e) => window.seenByTest.push(e.type)));"""


@pytest.fixture
def quick_presence_app(tmp_path: Path) -> Iterator[App]:
    with running_app(tmp_path / 'data', CHAT_PRESENCE_GRACE='1') as server:  # offline 1 s after the last page
        yield server


def state(driver: webdriver.Chrome) -> tuple[list[str], str, str]:
    return driver.execute_script(PANEL), driver.execute_script(TITLE), driver.execute_script(COUNT)


def test_joins_leaves_and_presence_follow_live(
        quick_presence_app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    url = quick_presence_app.url
    alice, bob = browser(), browser()
    sign_up(alice, url, 'alice')
    alice_page = alice.execute_script('return window.clientId')
    assert state(alice) == (['alice:online'], 'Members (1)', 'Members: 1')
    alice.execute_script(RECORD)

    sign_up(bob, url, 'bob')  # joins general
    wait(alice, lambda d: state(d) == (['alice:online', 'bob:online'], 'Members (2)', 'Members: 2'))

    click(bob, lambda: bob.find_element(By.CSS_SELECTOR, 'button[aria-label="Leave room"]'))
    click(bob, lambda: button(bob, 'Leave'))
    wait(alice, lambda d: state(d) == (['alice:online'], 'Members (1)', 'Members: 1'))

    bob.get(f'{url}/rooms')  # and back in
    wait_connected(bob)
    click(bob, lambda: button(bob, 'Join'))
    wait(bob, lambda d: '/room/' in d.current_url)
    wait(alice, lambda d: state(d) == (['alice:online', 'bob:online'], 'Members (2)', 'Members: 2'))

    bob.get('about:blank')  # bob's last page closed: offline once the grace period passed
    wait(alice, lambda d: state(d)[0] == ['alice:online', 'bob:offline'], timeout=15)
    assert state(alice)[1:] == ('Members (2)', 'Members: 2')
    assert alice.execute_script('return window.clientId') == alice_page, 'alice\'s page was reloaded'
    seen = alice.execute_script('return window.seenByTest')
    # a drawer's open state is echoed back after the browser reports it, and the message pane drops its history
    # prop once connected; nothing else of alice's page is updated
    expected = ('update:q-drawer', 'update:nicegui-message_list')
    updates = [s for s in seen if s.startswith('update:') and s not in expected]
    assert updates == [], 'the server updated elements of alice\'s page'  # it was all broadcasts
    assert {'membership.changed', 'room.members', 'presence.changed'} <= set(seen), seen
