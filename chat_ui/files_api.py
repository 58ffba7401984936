"""Files in messages over HTTP: the upload route (the raw file as the request body, read as it streams) and the
routes that serve a file or an image's thumbnail to the members of its conversation only.

`POST /api/rooms/{room_id}/files?name=<file name>&cid=<client id>[&caption=<text>]`: the session cookie as the
pages'; the Origin is checked by chat_ui/security.py like every state-changing request. The edge
(chat_ui/edge.py) does not read this route's body: `Uploads.upload` counts it while it arrives and stops reading
past the limit (413 with a sentence), each chunk within CHAT_BODY_TIMEOUT (408).

`GET /files/{id}/{name}` and `GET /files/{id}/thumb/{name}`: 404 "No such file" for whoever may not read the
conversation, exactly as for a file that does not exist. Images inline; everything else
`Content-Disposition: attachment`; always `X-Content-Type-Options: nosniff`, a CSP that runs nothing, and
`Cache-Control: private`.
"""
from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from nicegui import app

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, RateLimited, TooLarge, ValidationError

from .components.attachment import file_url
from .session import user_from_request

UPLOAD_PATH = '/api/rooms/{room_id}/files'
UPLOAD_SECONDS = 15 * 60  # the longest an upload may take (25 MB at about 28 kB/s): a trickle ends
FILE_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    'Cache-Control': 'private, max-age=3600',
}


def _detail(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({'detail': message}, status_code=status, headers=headers or None)


class _SlowBody(Exception):
    pass


async def _stream(request: Request, chunk_seconds: float) -> AsyncIterator[bytes]:
    """The body as it arrives, each chunk within `chunk_seconds` and the whole within UPLOAD_SECONDS."""
    chunks = request.stream().__aiter__()
    deadline = asyncio.get_running_loop().time() + UPLOAD_SECONDS
    while True:
        try:
            async with asyncio.timeout_at(min(deadline, asyncio.get_running_loop().time() + chunk_seconds)):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise _SlowBody from None
        if chunk:
            yield chunk


def _disposition(kind: str, name: str) -> str:
    ascii_name = name.encode('ascii', 'replace').decode().replace('"', "'").replace('?', '_')
    return f'{kind}; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def register(services: Services) -> None:
    uploads = services.uploads

    @app.post(UPLOAD_PATH, status_code=201, response_model=None)
    async def upload(room_id: str, request: Request) -> Response:
        found = await user_from_request(services, request)
        if found is None:
            return _detail(401, 'Sign in first.', Connection='close')
        if not room_id.isascii() or not room_id.isdigit() or len(room_id) > 30:
            return _detail(404, 'That room does not exist', Connection='close')
        length = request.headers.get('content-length')
        if length is not None and (not length.isdigit() or int(length) > uploads.max_bytes):
            return _detail(413, str(uploads.too_large()), Connection='close')  # nothing read
        query = request.query_params
        try:
            message = await uploads.upload(found[0], int(room_id), query.get('name'),
                                           _stream(request, services.settings.edge.body_timeout),
                                           query.get('cid'), query.get('caption', ''))
        except TooLarge as e:
            return _detail(413, str(e), Connection='close')  # the rest of the body is never read
        except ValidationError as e:
            return _detail(400, str(e))
        except Forbidden as e:
            return _detail(403, str(e), Connection='close')
        except NotFound as e:
            return _detail(404, str(e), Connection='close')
        except RateLimited as e:
            return _detail(429, str(e), Connection='close', **{'Retry-After': str(max(1, math.ceil(e.retry_after)))})
        except _SlowBody:
            return _detail(408, 'The file took too long to arrive.', Connection='close')
        attachment: dict[str, Any] = {}
        if message.attachment is not None:
            attachment = {'id': message.attachment.id, 'name': message.attachment.name,
                          'url': file_url(message.attachment)}
        return JSONResponse({'seq': message.seq, **attachment}, status_code=201)

    async def serve(request: Request, file_id: str, thumb: bool) -> Response:
        found = await user_from_request(services, request)
        if found is None or not file_id.isascii() or not file_id.isdigit() or len(file_id) > 18:
            return _detail(404, 'No such file')
        try:
            download = await uploads.download(found[0], int(file_id), thumb)
        except NotFound as e:
            return _detail(404, str(e))
        kind = 'inline' if download.inline else 'attachment'
        headers = {**FILE_HEADERS, 'Content-Disposition': _disposition(kind, download.attachment.name)}
        if not thumb:
            headers['Content-Length'] = str(download.attachment.size)
        mime = download.mime if download.inline else download.mime if download.mime.startswith(
            ('application/pdf', 'text/plain')) else 'application/octet-stream'
        return StreamingResponse(download.chunks, media_type=mime, headers=headers)

    @app.get('/files/{file_id}/thumb/{name}', response_model=None)
    async def thumbnail(file_id: str, name: str, request: Request) -> Response:
        return await serve(request, file_id, thumb=True)

    @app.get('/files/{file_id}/{name}', response_model=None)
    async def file(file_id: str, name: str, request: Request) -> Response:
        return await serve(request, file_id, thumb=False)
