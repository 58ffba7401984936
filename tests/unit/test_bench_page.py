"""The bench's simulated page: the composer found by its listeners, and nicegui.js's throttle reproduced."""
from __future__ import annotations

import asyncio
import json

import pytest

from bench.clients import extract_client_id
from bench.page import PageShapeError, Throttle, find_composer, find_message_list, page_elements


def listener(type_: str, lid: str, **extra: object) -> dict[str, object]:
    return {'listener_id': lid, 'type': type_, 'specials': [], 'modifiers': [], 'keys': [], 'args': None,
            'throttle': 0.0, 'leading_events': True, 'trailing_events': True, 'js_handler': None, **extra}


VALUE = listener('update:value', 'value', args=[None])
SEND = listener('keydown', 'send', keys=['enter'], js_handler='(e) => { const text = e.target.value; emit(text); }')
TYPING = listener('update:value', 'typing', args=[], throttle=2.0)
COMPOSER = {'tag': 'nicegui-input', 'props': {'aria-label': 'Message'}, 'events': [VALUE, SEND, TYPING]}
LIST = {'tag': 'nicegui-message_list', 'props': {'roomId': 3, 'maxWindow': 300, 'lastSeq': 120},
        'events': [listener('older', 'o'), listener('catchup', 'c'), listener('latest', 'l')]}


def html_of(elements: dict[str, object]) -> str:
    raw = json.dumps(elements).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('$', '&#36;')
    return f'<script>const elements = parseElements(String.raw`{raw}`);</script>'


def test_the_composer_and_message_list_are_found_by_their_listeners() -> None:
    elements = page_elements(html_of({'0': {'tag': 'q-layout', 'events': []}, '21': LIST, '24': COMPOSER}))
    composer = find_composer(elements)
    assert (composer.element, composer.value, composer.send, composer.typing) == (24, 'value', 'send', 'typing')
    assert (composer.typing_throttle, composer.typing_leading, composer.typing_trailing) == (2.0, True, True)
    assert find_message_list(elements).last_seq == 120


def test_a_page_without_the_composer_stops_the_bench() -> None:
    without_send = dict(COMPOSER, events=[VALUE, TYPING])
    with pytest.raises(PageShapeError, match='no composer'):
        find_composer(page_elements(html_of({'24': without_send})))
    with pytest.raises(PageShapeError):
        page_elements('<html>not a NiceGUI page</html>')


async def test_the_throttle_sends_leading_and_trailing_like_nicegui_js() -> None:
    sent: list[str] = []
    throttle = Throttle(0.05, leading=True, trailing=True)
    def press(key: str) -> None:
        throttle(lambda: sent.append(key))

    for key in 'abc':  # three keystrokes inside one window: the first at once, the last when the window ends
        press(key)
    assert sent == ['a']
    await asyncio.sleep(0.08)
    assert sent == ['a', 'c']
    throttle(lambda: sent.append('d'))  # a new window opens after the trailing call
    assert sent == ['a', 'c', 'd']
    throttle.cancel()


def test_the_page_client_id_is_the_sockets_not_a_messages() -> None:
    # the message list's props carry each message's own client id, before the socket's query in the page
    messages = {'21': dict(LIST, props={**LIST['props'], 'messages': [{'seq': 1, 'client_id': 'b10000001'}]})}
    page = html_of(messages) + '<script>createApp({ query: {"client_id": "5f0c-aa12", "next_message_id": 0} })'
    assert extract_client_id(page) == '5f0c-aa12'
