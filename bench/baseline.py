"""The baseline: a plain python-socketio ASGI app under uvicorn. Clients `join` one room; a POST to
/send broadcasts the message to it as the same JSON the chat sends. `python -m bench.baseline PORT`."""
from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import socketio
import uvicorn

sio = socketio.AsyncServer(async_mode='asgi', cors_allowed_origins=[])
state = {'seq': 0}


async def join(sid: str, room: str) -> bool:
    await sio.enter_room(sid, f'chat-room-{room}')
    return True


sio.on('join', join)  # called, not used as a decorator: python-socketio's decorators are untyped


async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = b''
    while True:
        event = await receive()
        body += event.get('body', b'')
        if not event.get('more_body'):
            break
    if scope['path'] == '/send' and scope['method'] == 'POST':
        data = json.loads(body)
        state['seq'] += 1
        text = str(data['body'])
        payload = {'room_id': 1, 'seq': state['seq'], 'kind': 'text', 'author': 'sender', 'author_id': 1,
                   'body': '', 'html': f'<p>{text}</p>', 'time': datetime.now(UTC).isoformat()}
        await sio.emit('chat:msg', payload, room='chat-room-bench')
        status, out = 201, json.dumps({'seq': state['seq']}).encode()
    else:
        status, out = 200, b'ok'
    await send({'type': 'http.response.start', 'status': status,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(out)).encode())]})
    await send({'type': 'http.response.body', 'body': out})


app = socketio.ASGIApp(sio, other_asgi_app=http)

if __name__ == '__main__':
    uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', lifespan='off')
