"""Conversations in real Chromium: a direct message (opened by its link, listed live in the other person's drawer,
a message deleted live), a group conversation and a private room's invitation (live in the drawers), and a removed
member whose open page goes quiet. One app per test, shared with the other browser tests' fixture."""
from __future__ import annotations

import time
from collections.abc import Callable

from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.support import App

from .helpers import button, click, field, messages, send, sign_up, wait, wait_connected

HEADING = "return document.querySelector('[role=heading][aria-level=\"1\"]').innerText"
DMS = "return [...document.querySelectorAll('.chat-dm-name')].map(e => e.innerText)"
DM_LINKS = "return [...document.querySelectorAll('nav[aria-label=\"Direct messages\"] a')].map(e => e.innerText)"
ROOMS = "return [...document.querySelectorAll('.chat-room-name')].map(e => e.innerText)"
DELETED = ("return [...document.querySelectorAll('[data-testid=message][data-deleted=true]')]"
           ".map(e => [Number(e.dataset.seq), (e.querySelector('.chat-body') || {}).innerText || ''])")


def deleted(driver: webdriver.Chrome) -> list[int]:
    """The seqs of the messages shown as deleted (data-deleted="true", the body "message deleted"; a "Seen by" line
    may follow it)."""
    return [seq for seq, text in driver.execute_script(DELETED) if text.strip() == 'message deleted']


def seq_of(driver: webdriver.Chrome, text: str) -> int:
    return next(seq for seq, shown in messages(driver) if text in shown)


def test_a_direct_message_opens_by_link_and_a_deletion_shows_live(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    alice.get(f'{app.url}/dm/bob')
    wait(alice, lambda d: '/room/' in d.current_url and d.execute_script(HEADING).strip() == 'bob')
    wait(bob, lambda d: d.execute_script(DMS) == ['alice'])  # in bob's drawer, live
    assert bob.execute_script(DM_LINKS) == ['alice']  # the item's text is the name alone (its '@' is drawn by CSS)
    click(bob, lambda: bob.find_element(By.XPATH, '//a[.//span[@class="chat-dm-name" and text()="alice"]]'))
    wait(bob, lambda d: d.current_url == alice.current_url)
    wait_connected(bob)
    bob_page = bob.execute_script('return window.clientId')

    send(alice, 'meet at noon, not at ten')
    wait(bob, lambda d: any('meet at noon' in t for _, t in messages(d)))
    seq = seq_of(alice, 'meet at noon')
    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="Delete"]'))
    for driver in (bob, alice):  # one broadcast to the conversation
        wait(driver, lambda d: deleted(d) == [seq])
    assert bob.execute_script('return window.clientId') == bob_page, 'bob\'s page was reloaded'
    assert not any('meet at noon' in t for _, t in messages(bob))
    assert not alice.find_elements(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="Delete"]')
    bob.refresh()  # and from the store: history says deleted too
    wait(bob, lambda d: deleted(d) == [seq])


def test_a_group_and_a_private_invitation_appear_live_in_the_drawers(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob, carol = browser(), browser(), browser()
    for driver, name in ((alice, 'alice'), (bob, 'bob'), (carol, 'carol')):
        sign_up(driver, app.url, name)

    button(alice, 'New message').click()
    field(alice, 'People').send_keys('bob, carol')
    button(alice, 'Start').click()
    wait(alice, lambda d: d.execute_script(HEADING).strip() == 'bob, carol')
    wait(carol, lambda d: d.execute_script(DMS) == ['alice, bob'])
    wait(bob, lambda d: d.execute_script(DMS) == ['alice, carol'])

    button(alice, 'New room').click()
    field(alice, 'Room name').send_keys('plans')
    click(alice, lambda: alice.find_element(By.XPATH, '//*[@role="checkbox" and .//*[normalize-space()="Private"]]'))
    button(alice, 'Create').click()
    wait(alice, lambda d: d.execute_script(HEADING).strip() == 'plans')
    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, 'button[aria-label="Invite"]'))
    field(alice, 'Username').send_keys('bob')
    click(alice, lambda: button(alice, 'Invite'))
    wait(bob, lambda d: d.execute_script(ROOMS) == ['general', 'plans'])  # live, no reload
    assert carol.execute_script(ROOMS) == ['general']


def test_a_removed_member_page_goes_quiet(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')  # the first account: the administrator, who moderates general
    sign_up(bob, app.url, 'bob')
    send(alice, 'before')
    wait(bob, lambda d: any('before' in t for _, t in messages(d)))

    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, 'button[aria-label="Actions for bob"]'))
    click(alice, lambda: button(alice, 'Remove'))
    wait(bob, lambda d: 'You were removed from this room by alice.' in d.find_element(By.TAG_NAME, 'body').text)
    wait(bob, lambda d: d.execute_script(ROOMS) == [])  # the drawer dropped it
    shown = len(messages(bob))
    send(alice, 'after')
    wait(alice, lambda d: any('after' in t for _, t in messages(d)))
    time.sleep(0.5)  # what would have reached bob's page by now
    assert len(messages(bob)) == shown and not any('after' in t for _, t in messages(bob))
    assert not bob.find_elements(By.CSS_SELECTOR, 'textarea[aria-label="Message"]')
