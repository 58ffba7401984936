"""Issue 8 rows 10 and 11 against the real server: malformed input gets a 4xx sentence, never a traceback.

Before: a lone surrogate, JSON nested 100,000 deep and a 20-digit room id gave 500s with tracebacks in
the log, and messages of only zero-width characters were stored.
"""
from __future__ import annotations

import asyncio

import httpx

from tests.hostile.conftest import ABUSERS, Hostile, record


async def post_raw(client: httpx.AsyncClient, path: str, raw: bytes) -> httpx.Response:
    return await client.post(path, content=raw, headers={'Content-Type': 'application/json'})


async def test_malformed_messages_get_sentences(hostile: Hostile, report: list[str]) -> None:
    path = f'/api/rooms/{hostile.room_id}/messages'
    cases: list[tuple[bytes, int, str]] = [
        (b'{"body": "\\ud800", "client_id": "s1"}', 422, 'Message contains characters that are not allowed.'),
        (b'{"body": "hi \\udfff there", "client_id": "s2"}', 422, 'Message contains characters that are not allowed.'),
        (b'{"body": "\\u200b\\u200c\\u200d\\u2060\\ufeff", "client_id": "z1"}', 422, 'Message is empty'),
        (b'{"body": "\\udb40\\udc41\\udb40\\udc7f", "client_id": "z2"}', 422, 'Message is empty'),  # tag characters
        (b'[' * 30_000 + b']' * 30_000, 422, 'Send a JSON object with "body" and "client_id".'),
        (b'{"a":' * 10_000 + b'1' + b'}' * 10_000, 422, 'Send a JSON object with "body" and "client_id".'),
        (b'[' * 100_000 + b']' * 100_000, 413, 'The request is too large (at most 64 KiB).'),
    ]
    client = await hostile.signed_in(ABUSERS[0], '127.0.0.5')
    with hostile.probe() as probe:
        for raw, status, detail in cases:
            response = await post_raw(client, path, raw)
            assert (response.status_code, response.json()) == (status, {'detail': detail}), raw[:40]
            await asyncio.sleep(0.7)  # a refused body costs a token too: stay within the message limit
    record(report, 'lone surrogates, zero-width bodies, JSON nested 30,000-100,000 deep (rows 10, 11)', probe.result)
    await client.aclose()


async def test_a_twenty_digit_room_id_is_an_unknown_room(hostile: Hostile) -> None:
    client = await hostile.signed_in(ABUSERS[1], '127.0.0.6')
    for room in ('9' * 20, '1' + '0' * 19, '9' * 300):
        response = await client.post(f'/api/rooms/{room}/messages', json={'body': 'hi', 'client_id': 'r1'})
        assert (response.status_code, response.json()) == (404, {'detail': 'That room does not exist'}), room
        page = await client.get(f'/room/{room}')
        assert page.status_code == 303 and page.headers['location'] == '/', room  # as for any unknown room
    response = await client.post('/api/rooms/abc/messages', json={'body': 'hi', 'client_id': 'r2'})
    assert response.status_code == 404
    await client.aclose()


def test_no_tracebacks_in_the_log(hostile: Hostile) -> None:
    assert hostile.tracebacks() == []
