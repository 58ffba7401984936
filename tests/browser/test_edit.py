"""Editing in real Chromium: alice edits her message in place, bob sees the new text and the edited mark live;
Up in alice's empty composer edits her last message; a page cut off during an edit shows the final text after
its reconnect."""
from __future__ import annotations

import time
from collections.abc import Callable

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from tests.support import App

from .helpers import click, field, messages, send, sign_up, wait

SHOWN = ("return [...document.querySelectorAll('[data-testid=message][data-kind=text]')]"
         ".map(e => [Number(e.dataset.seq), (e.querySelector('.chat-body') || {}).innerText || '',"
         " e.dataset.edited || '', e.innerText.includes('(edited)')])")


def shown(driver: webdriver.Chrome) -> dict[int, tuple[str, bool]]:
    """seq -> (the body's text, marked edited: data-edited="true" and "(edited)" both shown)."""
    return {int(seq): (str(body).strip(), flag == 'true' and marked)
            for seq, body, flag, marked in driver.execute_script(SHOWN)}


def seq_of(driver: webdriver.Chrome, text: str) -> int:
    return next(seq for seq, shown_text in messages(driver) if text in shown_text)


def editor(driver: webdriver.Chrome) -> WebElement:
    return wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, 'textarea[aria-label="Edit message"]'))


def test_an_edit_shows_live_by_button_and_up_arrow_and_after_a_reconnect(
        app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    send(alice, 'lunch at noon')
    wait(bob, lambda d: any('lunch at noon' in t for _, t in messages(d)))
    seq = seq_of(alice, 'lunch at noon')
    assert not bob.find_elements(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="Edit"]'), 'not his'

    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] button[aria-label="Edit"]'))
    box = editor(alice)
    wait(alice, lambda _: box.get_attribute('value') == 'lunch at noon')  # the text as written
    box.send_keys(Keys.CONTROL, 'a')
    box.send_keys('lunch at **one**')
    box.send_keys(Keys.ENTER)
    for driver in (bob, alice):  # one broadcast to the room
        wait(driver, lambda d: shown(d).get(seq) == ('lunch at one', True))
    assert bob.find_element(By.CSS_SELECTOR, f'[data-seq="{seq}"] .chat-body strong').text == 'one'

    # Up in the empty composer edits the last message of alice's; Escape leaves it as it was
    field(alice, 'Message').send_keys(Keys.ARROW_UP)
    editor(alice).send_keys(' or two', Keys.ESCAPE)
    wait(alice, lambda d: not d.find_elements(By.CSS_SELECTOR, 'textarea[aria-label="Edit message"]'))
    assert shown(alice)[seq] == ('lunch at one', True)

    # bob's page is cut off while alice edits again: after the reconnect it shows the final text
    bob.execute_script('window.socket.disconnect()')
    field(alice, 'Message').send_keys(Keys.ARROW_UP)
    box = editor(alice)
    box.send_keys(Keys.CONTROL, 'a')
    box.send_keys('lunch at two, final', Keys.ENTER)
    wait(alice, lambda d: shown(d).get(seq) == ('lunch at two, final', True))
    time.sleep(0.5)
    assert shown(bob)[seq] == ('lunch at one', True), 'a cut page cannot have received anything'
    bob.execute_script('window.socket.connect()')
    wait(bob, lambda d: shown(d).get(seq) == ('lunch at two, final', True), timeout=15)
    bob.refresh()  # and from the store: the history says edited too
    wait(bob, lambda d: shown(d).get(seq) == ('lunch at two, final', True))
