"""Editing the topic in real Chromium: alice saves a new topic, bob's open page shows it without a reload."""
from __future__ import annotations

from collections.abc import Callable

from selenium import webdriver
from selenium.webdriver.common.by import By

from .conftest import App
from .helpers import button, field, sign_up, wait

TOPIC_LINE = "return document.querySelector('[role=heading]').parentElement.innerText"


def test_topic_edited_in_one_page_shows_in_the_other(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')
    bob_page = bob.execute_script('return window.clientId')

    wait(alice, lambda d: d.find_element(By.CSS_SELECTOR, 'button[aria-label="Edit topic"]')).click()
    box = field(alice, 'Topic')
    wait(alice, lambda d: box.get_attribute('value') == 'Company-wide chat')
    box.clear()
    box.send_keys('Ship it on Friday')
    button(alice, 'Save').click()

    wait(bob, lambda d: 'Ship it on Friday' in d.execute_script(TOPIC_LINE))
    assert bob.execute_script('return window.clientId') == bob_page, 'bob\'s page was reloaded'
    wait(alice, lambda d: 'Ship it on Friday' in d.execute_script(TOPIC_LINE))
    wait(alice, lambda d: not d.find_elements(By.XPATH, '//*[normalize-space()="Save"]'))  # the dialog went away
