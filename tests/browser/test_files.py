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


DROP = """
const [kind, name, size] = arguments;
const file = new File([kind === 'text' ? 'dropped words' : new Uint8Array(size)], name, {type: 'text/plain'});
const data = new DataTransfer();
data.items.add(file);
const list = document.querySelector('.chat-list');
list.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
list.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
"""

PASTE_IMAGE = """
const canvas = document.createElement('canvas');
canvas.width = 60; canvas.height = 40;
canvas.getContext('2d').fillRect(0, 0, 60, 40);
canvas.toBlob((blob) => {
  const data = new DataTransfer();
  data.items.add(new File([blob], 'image.png', {type: 'image/png'}));
  const box = document.querySelector('textarea[aria-label="Message"]');
  box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}, 'image/png');
"""


def test_drop_paste_and_a_refusal_that_says_why(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice = browser()
    sign_up(alice, app.url, 'alice')
    alice.execute_script(DROP, 'text', 'dropped.txt', 0)  # a file dropped on the conversation
    wait(alice, lambda d: [text for text, _ in file_links(d)] == ['dropped.txt'], timeout=20)
    alice.execute_script(PASTE_IMAGE)  # an image pasted into the composer
    wait(alice, lambda d: loaded_images(d) == [(60, 'image.png')], timeout=20)
    alice.execute_script(DROP, 'big', 'huge.bin', 26_000_000)  # past the 25 MB limit: a notification says so
    wait(alice, lambda d: 'huge.bin: That file is larger than 25 MB' in d.find_element(By.TAG_NAME, 'body').text)
