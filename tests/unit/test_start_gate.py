"""A failed start answers every visitor with a fixed sentence; the reason stays in the server log."""
from __future__ import annotations

import asyncio

from starlette.types import Message, Receive, Scope, Send

from chat_ui.lifecycle import START_FAILED, StartGate


async def never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError('the app behind a failed start must not run')


async def test_a_failed_start_does_not_tell_visitors_why() -> None:
    done = asyncio.Event()
    done.set()
    failure: list[BaseException] = [OSError('could not connect to postgresql://admin:hunter2@db.internal/chat')]
    sent: list[Message] = []

    async def receive() -> Message:
        return {'type': 'http.request', 'body': b'', 'more_body': False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {'type': 'http', 'method': 'GET', 'path': '/', 'headers': [], 'query_string': b''}
    await StartGate(never_called, done, failure)(scope, receive, send)
    assert sent[0]['status'] == 503
    body = b''.join(m.get('body', b'') for m in sent[1:]).decode()
    assert body == START_FAILED == 'The chat could not start; see the server log.'
    assert 'hunter2' not in body
