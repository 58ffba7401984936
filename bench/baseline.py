"""The baseline: a plain python-socketio ASGI app under uvicorn. `python -m bench.baseline PORT`.

Clients `join` a room. A `send` event (or a POST to /send) broadcasts the message to it as the same JSON
the chat sends; a `typing` event is broadcast as the chat's typing service does it (at most once a
second per typist, and a "stopped" broadcast when that typist sends), so both servers carry the same
typing traffic. No storage, no per-page state: what a broadcast costs and nothing else.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

import socketio
import uvicorn

sio = socketio.AsyncServer(async_mode='asgi', cors_allowed_origins=[])
state = {'seq': 0}
REPEAT_AFTER, TTL = 1.0, 5.0  # services/typing.py
typing_since: dict[tuple[str, str], float] = {}  # (room, sid) -> last "typing" broadcast


async def join(sid: str, room: str) -> bool:
    await sio.enter_room(sid, f'chat-room-{room}')
    return True


async def typing(sid: str, room: str) -> None:
    now = time.monotonic()
    last = typing_since.get((room, sid))
    if last is not None and now - last < REPEAT_AFTER:
        return
    typing_since[(room, sid)] = now
    await sio.emit('chat:typing', {'room_id': room, 'user': sid, 'typing': True}, room=f'chat-room-{room}')


async def broadcast(room: str, text: str, sid: str | None = None) -> int:
    if sid is not None and (last := typing_since.pop((room, sid), None)) is not None \
            and time.monotonic() - last <= TTL:
        await sio.emit('chat:typing', {'room_id': room, 'user': sid, 'typing': False}, room=f'chat-room-{room}')
    state['seq'] += 1
    payload = {'room_id': room, 'seq': state['seq'], 'kind': 'text', 'author': 'sender', 'author_id': 1,
               'body': '', 'html': f'<p>{text}</p>', 'time': datetime.now(UTC).isoformat()}
    await sio.emit('chat:msg', payload, room=f'chat-room-{room}')
    return state['seq']


async def send(sid: str, data: dict[str, Any]) -> None:
    await broadcast(str(data['room']), str(data['body']), sid)


for name, handler in (('join', join), ('typing', typing), ('send', send)):
    sio.on(name, handler)  # called, not used as a decorator: python-socketio's decorators are untyped


async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = b''
    while True:
        event = await receive()
        body += event.get('body', b'')
        if not event.get('more_body'):
            break
    if scope['path'] == '/send' and scope['method'] == 'POST':
        data = json.loads(body)
        seq = await broadcast(str(data.get('room', '1')), str(data['body']))
        status, out = 201, json.dumps({'seq': seq}).encode()
    else:
        status, out = 200, b'ok'
    await send({'type': 'http.response.start', 'status': status,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(out)).encode())]})
    await send({'type': 'http.response.body', 'body': out})


app = socketio.ASGIApp(sio, other_asgi_app=http)

if __name__ == '__main__':
    uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', lifespan='off')
