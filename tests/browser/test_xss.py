"""Hostile text in real Chromium: nothing a user types runs script or becomes markup in another user's page.

alice posts every payload of `xss_payloads.py` (a few through the composer, the rest through the
JSON API for speed); bob, in a second Chromium, receives them live, then reloads (history path) and
scrolls back to the start. A topic with markup and a Vue template is shown as text in the browse list
and in the room header.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.support import App, running_app

from .attention import focused, seen_by
from .helpers import button, field, send, sign_up, wait, wait_connected
from .xss_payloads import PAYLOADS, S

PASSWORD = 'correct horse'
HOSTILE_TOPIC = f'<img src=x onerror={S}> {{{{ 7*7 }}}} <script>{S}</script>'

# Installed before any page script runs (and again on every navigation): every way a payload could
# announce itself sets window.__xss.
TRAPS = """
window.__xss = undefined;
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = () => { window.__xss = (window.__xss || 0) + 1; };
}
"""

# Everything inside a message must come from the app's template or the sanitiser's allow-list.
INSPECT = """
const BODY_TAGS = new Set(['P', 'BR', 'STRONG', 'EM', 'DEL', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI',
                           'A', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR']);
const BODY_ATTRS = new Set(['href', 'title', 'target', 'rel']);
const FORBIDDEN = new RegExp('^(SCRIPT|IFRAME|OBJECT|EMBED|SVG|MATH|IMG|STYLE|FORM|INPUT|BUTTON|TEXTAREA|VIDEO|AUDIO|'
                             + 'SOURCE|DETAILS|MARQUEE|BASE|META|LINK|TEMPLATE|NOSCRIPT|BODY)$', 'i');
const problems = [];
const messages = [...document.querySelectorAll('[data-testid=message]')];
for (const m of messages) {
  const where = `message ${m.dataset.seq}`;
  for (const el of [m, ...m.querySelectorAll('*')]) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) problems.push(`${where}: ${el.tagName} has ${a.name}`);
    }
    // the template's "Delete", "Edit", "Reply", "React", reaction chips, a reply's parent, the in-place editor, and
    // the image of a file posted (outside the body: a payload's markup is inside it)
    const ours = el.matches('button.chat-delete, button.chat-edit, button.chat-reply, button.chat-react, '
                            + 'button.chat-chip, button.chat-quote, textarea.chat-editor, .chat-file img')
                 && !el.closest('.chat-body');
    if (FORBIDDEN.test(el.tagName) && !ours) {
      problems.push(`${where}: <${el.tagName.toLowerCase()}> element`);
    }
  }
  for (const body of m.querySelectorAll('.chat-body')) {
    for (const el of body.querySelectorAll('*')) {
      if (!BODY_TAGS.has(el.tagName)) problems.push(`${where}: <${el.tagName.toLowerCase()}> in the body`);
      for (const a of el.attributes) {
        if (!BODY_ATTRS.has(a.name)) problems.push(`${where}: attribute ${a.name} on ${el.tagName}`);
      }
      if (el.tagName === 'A' && el.hasAttribute('href')) {
        const protocol = new URL(el.getAttribute('href'), location.href).protocol;
        if (!['http:', 'https:', 'mailto:'].includes(protocol)) {
          problems.push(`${where}: href ${el.getAttribute('href')}`);
        }
      }
    }
  }
}
return {
  problems,
  xss: window.__xss === undefined ? null : window.__xss,
  title: document.title,
  texts: messages.filter(m => m.dataset.kind === 'text')
                 .map(m => [Number(m.dataset.seq), m.querySelector('.chat-body').innerText]),
};
"""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    """The real app with rate limits off: alice sends ~90 messages in a couple of seconds."""
    with running_app(tmp_path / 'data', CHAT_RATE_LIMITS='off') as server:
        yield server


def trap(driver: webdriver.Chrome) -> None:
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': TRAPS})
    driver.execute_script(TRAPS)


def inspect(driver: webdriver.Chrome) -> dict[str, Any]:
    result: dict[str, Any] = driver.execute_script(INSPECT)
    return result


def text_messages(driver: webdriver.Chrome) -> int:
    return int(driver.execute_script(
        "return document.querySelectorAll('[data-testid=message][data-kind=text]').length"))


def assert_clean(driver: webdriver.Chrome, expected: int, who: str) -> None:
    seen = inspect(driver)
    assert seen['xss'] is None, f'a payload ran in {who}\'s page (window.__xss = {seen["xss"]})'
    assert 'XSS' not in seen['title'] and seen['title'].endswith('Chat'), seen['title']
    assert not seen['problems'], f'markup from a payload in {who}\'s page:\n' + '\n'.join(seen['problems'])
    texts = [text for _, text in seen['texts']]
    assert len(texts) == expected, f'{who} sees {len(texts)} of {expected} messages'
    assert '<b>x</b>' in texts, 'markup should show as typed text'
    assert "{{ constructor.constructor('" + S + "')() }}" in texts, 'a Vue template should show as typed'
    assert '{{ 7*7 }}' in texts and '49' not in texts, 'a Vue template was evaluated'
    assert any(f'<script>{S}</script>' == t for t in texts)


def scroll_to_start(driver: webdriver.Chrome, expected: int) -> None:
    """Load older pages until the whole conversation is on the page (history path, not live)."""
    def loaded(d: webdriver.Chrome) -> bool:
        d.execute_script("const l = document.querySelector('.chat-list'); if (l) l.scrollTop = 0;")
        return text_messages(d) >= expected
    wait(driver, loaded, timeout=20)


def test_hostile_messages_and_topic_stay_text(app: App, browser: Callable[..., webdriver.Chrome]) -> None:
    alice, bob = browser(), browser()
    for driver in (alice, bob):
        trap(driver)
        focused(driver)  # bob reads as messages arrive: his reload opens on the latest page (not at an unread one)
    with ThreadPoolExecutor(2) as pool:  # two browsers, two sign-ups at once
        list(pool.map(lambda args: sign_up(*args), [(alice, app.url, 'alice', PASSWORD),
                                                     (bob, app.url, 'bob', PASSWORD)]))
    room_id = int(bob.current_url.rstrip('/').rsplit('/', 1)[1])
    assert alice.current_url == bob.current_url

    # a few through the real composer (single-line ones: Enter sends) ...
    typed = ['<b>x</b>', '{{ 7*7 }}', f'"><img src=x onerror={S}>']
    for text in typed:
        send(alice, text)
    wait(bob, lambda d: text_messages(d) >= len(typed))
    # ... the rest through the JSON API as the same alice
    rest = [p for _, p in PAYLOADS if p not in typed]
    with httpx.Client(base_url=app.url, timeout=20) as client:
        assert client.post('/api/session', json={'username': 'alice', 'password': PASSWORD}).status_code == 204

        def post(payload: str) -> None:
            r = client.post(f'/api/rooms/{room_id}/messages', json={'body': payload, 'client_id': uuid.uuid4().hex})
            assert r.status_code == 201, (payload, r.text)

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(post, rest))
    total = len(typed) + len(rest)

    wait(bob, lambda d: text_messages(d) >= total, timeout=20)  # live path
    wait(alice, lambda d: text_messages(d) >= total, timeout=20)
    assert_clean(bob, total, 'bob (live)')
    assert_clean(alice, total, 'alice (live)')

    newest = max(int(s) for s in alice.execute_script(
        "return [...document.querySelectorAll('[data-testid=message]')].map(e => e.dataset.seq)"))
    wait(alice, lambda d: seen_by(d).get(newest) == 'Seen by bob', timeout=15)  # bob's read is stored
    bob.refresh()  # history path: the latest page, then older pages on scroll
    wait_connected(bob)
    scroll_to_start(bob, total)
    assert_clean(bob, total, 'bob (after reload)')

    # a hostile topic: alice creates a room; bob sees it in Browse and in the room header
    button(alice, 'New room').click()
    field(alice, 'Room name').send_keys('hostile')
    field(alice, 'Topic (optional)').send_keys(HOSTILE_TOPIC)
    button(alice, 'Create').click()
    wait(alice, lambda d: f'/room/{room_id}' not in d.current_url and '/room/' in d.current_url)

    def shows_topic(d: webdriver.Chrome) -> bool:
        return bool(d.find_elements(By.XPATH, f'//*[normalize-space(text())="{HOSTILE_TOPIC}"]'))

    bob.get(f'{app.url}/rooms')
    wait(bob, shows_topic)
    assert '49' not in bob.find_element(By.TAG_NAME, 'main').text.split()
    wait(bob, lambda d: d.find_element(By.XPATH, '//*[normalize-space(text())="hostile"]/ancestor::*'
                                                 '[contains(@class, "q-item")]//button')).click()
    wait(bob, lambda d: f'/room/{room_id}' not in d.current_url and '/room/' in d.current_url)
    wait(bob, shows_topic)
    header = bob.find_element(By.TAG_NAME, 'header')
    assert not header.find_elements(By.CSS_SELECTOR, 'img, script'), 'the topic became markup'
    for driver, who in ((alice, 'alice'), (bob, 'bob')):
        seen = inspect(driver)
        assert seen['xss'] is None, f'the topic ran script in {who}\'s page'
