"""Files in real Chromium: "Attach file" opens the file chooser; an image shows as an <img> in the message, a text
file as a link with its name, in the sender's page and live in a second person's; the image loads from the
members-only route."""
from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.support import App

from .helpers import click, sign_up, wait

IMAGE_IN_MESSAGE = "[data-testid=message] img"


def file_input(driver: webdriver.Chrome) -> webdriver.remote.webelement.WebElement:
    return wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, 'input[type=file]'))


def loaded_images(driver: webdriver.Chrome) -> list[tuple[int, str]]:
    return [(int(w), str(alt)) for w, alt in driver.execute_script(
        f"return [...document.querySelectorAll('{IMAGE_IN_MESSAGE}')]"
        ".filter(i => i.complete).map(i => [i.naturalWidth, i.alt])")]


def file_links(driver: webdriver.Chrome) -> list[tuple[str, str]]:
    return [(str(text), str(href)) for text, href in driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=message] a[download]')]"
        ".map(a => [a.textContent.trim(), a.getAttribute('href')])")]


def test_attach_an_image_and_a_text_file_seen_live_by_a_second_page(
        app: App, browser: Callable[..., webdriver.Chrome], tmp_path: Path) -> None:
    alice, bob = browser(), browser()
    sign_up(alice, app.url, 'alice')
    sign_up(bob, app.url, 'bob')

    # the button opens the browser's file chooser (the hidden input's click)
    alice.execute_script("window.chooserOpened = 0; const c = HTMLInputElement.prototype.click;"
                         "HTMLInputElement.prototype.click = function () {"
                         "  if (this.type === 'file') { window.chooserOpened++; return; } return c.call(this); };")
    click(alice, lambda: alice.find_element(By.CSS_SELECTOR, 'button[aria-label="Attach file"]'))
    assert alice.execute_script('return window.chooserOpened') == 1

    picture = tmp_path / 'sunset.png'
    buffer = io.BytesIO()
    Image.new('RGB', (800, 500), (250, 120, 40)).save(buffer, format='PNG')
    picture.write_bytes(buffer.getvalue())
    file_input(alice).send_keys(str(picture))
    for driver in (alice, bob):  # the thumbnail (400 px wide) inside the message element, loaded from the server
        wait(driver, lambda d: loaded_images(d) == [(400, 'sunset.png')], timeout=20)
    full = bob.find_element(By.CSS_SELECTOR, f'{IMAGE_IN_MESSAGE}').find_element(By.XPATH, '..')
    assert full.get_attribute('href').endswith('/sunset.png') and full.get_attribute('target') == '_blank'

    notes = tmp_path / 'notes.txt'
    notes.write_text('the plan\n', encoding='utf-8')
    file_input(alice).send_keys(str(notes))
    for driver in (alice, bob):
        wait(driver, lambda d: [text for text, _ in file_links(d)] == ['notes.txt'], timeout=20)
    href = file_links(bob)[0][1]
    assert bob.execute_script("return fetch(arguments[0]).then(r => r.text())", href) == 'the plan\n'
