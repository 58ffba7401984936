"""Reactions and replies in real Chromium, two people: alice reacts with the picker (searched, Enter picks; Escape
closes it), bob sees the chip and its count live, the names in its title, and toggles his own; alice replies to
bob's message, bob sees the parent above her reply and clicking it shows it, also when it is outside his window
(more than 60 messages between, the page reloaded)."""
from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from tests.support import App

from .helpers import click, field, messages, send, sign_up, wait, wait_connected

UP = '\U0001F44D'
CHIPS = ("return [...document.querySelectorAll('[data-seq=\"' + arguments[0] + '\"] [data-testid=reaction]')]"
         ".map(e => [e.dataset.emoji, e.innerText.trim(), e.title, e.dataset.mine === 'true'])")


def chips(driver: webdriver.Chrome, seq: int) -> list[tuple[str, str, str, bool]]:
    """(emoji, text, title, mine) of each reaction chip under the message at `seq`."""
    return [(str(e), str(t), str(title), bool(m)) for e, t, title, m in driver.execute_script(CHIPS, seq)]


def chip(driver: webdriver.Chrome, seq: int, emoji: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] [data-testid=reaction][data-emoji="{emoji}"]')


def seq_of(driver: webdriver.Chrome, text: str) -> int:
    return next(seq for seq, shown in reversed(messages(driver)) if text in shown)


def control(driver: webdriver.Chrome, seq: int, name: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="{name}"]')


def picker(driver: webdriver.Chrome) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, '[role=dialog][aria-label="Pick a reaction"]')


def test_reactions_live_for_both_and_replies_that_lead_to_their_parent(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    send(bob, 'lunch today?')
    wait(alice, lambda d: any('lunch today?' in t for _, t in messages(d)))
    seq = seq_of(alice, 'lunch today?')

    # the picker: Escape closes it and gives the focus back to "React"
    click(alice, lambda: control(alice, seq, 'React'))
    search = wait(alice, lambda d: d.find_element(By.CSS_SELECTOR, 'input[aria-label="Search emoji"]'))
    wait(alice, lambda d: d.switch_to.active_element == search)
    search.send_keys(Keys.ESCAPE)
    wait(alice, lambda d: not picker(d))
    assert alice.switch_to.active_element.get_attribute('aria-label') == 'React'
    # searched, Enter takes the first found
    click(alice, lambda: control(alice, seq, 'React'))
    search = wait(alice, lambda d: d.find_element(By.CSS_SELECTOR, 'input[aria-label="Search emoji"]'))
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, '.chat-picker-emoji'))  # the data came
    search.send_keys('thumbs')  # 👍 (one of the usual few) before 👎, which comes first by name
    wait(alice, lambda d: d.find_element(By.CSS_SELECTOR, '.chat-picker-emoji').get_attribute('data-emoji') == UP)
    search.send_keys(Keys.ENTER)
    wait(alice, lambda d: not picker(d))

    # live for both: the chip with its count, who in its title, alice's selected on her page only
    wait(bob, lambda d: chips(d, seq) == [(UP, f'{UP} 1', 'alice', False)])
    wait(alice, lambda d: chips(d, seq) == [(UP, f'{UP} 1', 'alice', True)])
    click(bob, lambda: chip(bob, seq, UP))
    wait(bob, lambda d: chips(d, seq) == [(UP, f'{UP} 2', 'alice, bob', True)])
    wait(alice, lambda d: chips(d, seq) == [(UP, f'{UP} 2', 'alice, bob', True)])
    click(bob, lambda: chip(bob, seq, UP))
    wait(alice, lambda d: chips(d, seq) == [(UP, f'{UP} 1', 'alice', True)])
    wait(bob, lambda d: chips(d, seq) == [(UP, f'{UP} 1', 'alice', False)])

    # bob's page is cut off while alice takes hers back and gives it again: after the reconnect it shows the state
    bob.execute_script('window.socket.disconnect()')
    click(alice, lambda: chip(alice, seq, UP))
    wait(alice, lambda d: chips(d, seq) == [])
    time.sleep(0.5)
    assert chips(bob, seq) == [(UP, f'{UP} 1', 'alice', False)], 'a cut page cannot have received anything'
    bob.execute_script('window.socket.connect()')
    wait(bob, lambda d: chips(d, seq) == [], timeout=15)
    click(alice, lambda: control(alice, seq, 'React'))
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, f'.chat-picker-emoji[data-emoji="{UP}"]'))
    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, f'.chat-picker-emoji[data-emoji="{UP}"]'))
    wait(bob, lambda d: chips(d, seq) == [(UP, f'{UP} 1', 'alice', False)])

    # a reply: quoted above alice's composer (cancel, then again), sent with it; bob sees its parent, and a click
    # shows and marks the parent
    click(alice, lambda: control(alice, seq, 'Reply'))
    quote = wait(alice, lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid=replying]'))
    assert 'bob' in quote.text and 'lunch today?' in quote.text
    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, 'button[aria-label="Cancel reply"]'))
    wait(alice, lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid=replying]'))
    click(alice, lambda: control(alice, seq, 'Reply'))
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid=replying]'))
    send(alice, 'yes, at noon')
    wait(alice, lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid=replying]'))
    wait(bob, lambda d: any('yes, at noon' in t for _, t in messages(d)))
    reply = seq_of(bob, 'yes, at noon')
    parent = bob.find_element(By.CSS_SELECTOR, f'[data-seq="{reply}"] [data-testid=reply-parent]')
    assert parent.get_attribute('data-parent-seq') == str(seq)
    assert 'bob' in parent.text and 'lunch today?' in parent.text
    click(bob, lambda: bob.find_element(By.CSS_SELECTOR, f'[data-seq="{reply}"] [data-testid=reply-parent]'))
    wait(bob, lambda d: d.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"]').get_attribute('data-highlighted'))

    # more than 60 messages later, alice answers it again; bob's reloaded page shows only the latest ones
    with httpx.Client(base_url=app.url, timeout=20) as client:
        assert client.post('/api/session', json={'username': 'bob', 'password': 'correct horse'}).status_code == 204
        room = int(bob.current_url.rstrip('/').split('/')[-1].split('?')[0])
        for i in range(65):
            answer = client.post(f'/api/rooms/{room}/messages', json={'body': f'filler {i}', 'client_id': f'fill-{i}'})
            assert answer.status_code == 201, answer.text
    wait(alice, lambda d: any('filler 64' in t for _, t in messages(d)))
    click(alice, lambda: control(alice, seq, 'Reply'))
    wait(alice, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid=replying]'))
    send(alice, 'still on?')
    bob.refresh()
    wait_connected(bob)
    wait(bob, lambda d: any('still on?' in t for _, t in messages(d)))
    assert seq not in [s for s, _ in messages(bob)], 'the parent is outside the window'
    late = seq_of(bob, 'still on?')
    click(bob, lambda: bob.find_element(By.CSS_SELECTOR, f'[data-seq="{late}"] [data-testid=reply-parent]'))
    wait(bob, lambda d: d.find_elements(By.CSS_SELECTOR, f'[data-seq="{seq}"][data-highlighted="true"]'))
    target = bob.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"]')
    assert bob.execute_script(  # scrolled into the list's view
        'const r = arguments[0].getBoundingClientRect(), l = document.querySelector(".chat-list")'
        '.getBoundingClientRect(); return r.top >= l.top && r.bottom <= l.bottom', target)
    assert chips(bob, seq) == [(UP, f'{UP} 1', 'alice', False)]  # its reactions came with it
    field(bob, 'Message')  # the page still works: the jump back to the latest is offered
    wait(bob, lambda d: d.find_elements(By.XPATH, '//button[normalize-space()="Jump to latest messages"]'))
