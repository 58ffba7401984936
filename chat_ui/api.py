"""A small JSON API for scripts, tests and the benchmark: sign in/out and post a message.

The session is the same as the pages' (chat_ui/session.py: our own cookie, a server-side session), so a
client that signed in here can open `/room/<id>` like a browser that used the login page.
"""
from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from nicegui import app

from services.bootstrap import Services
from services.errors import AuthenticationFailed, Forbidden, NotFound, RateLimited, ServerBusy, ValidationError
from services.sessions import session_id

from .session import COOKIE, clear_cookie, device_cookie, replace_session, set_cookies, user_from_request


def _detail(status: int, message: str) -> JSONResponse:
    return JSONResponse({'detail': message}, status_code=status)


def _too_many(error: RateLimited) -> JSONResponse:
    return JSONResponse({'detail': str(error)}, status_code=429,
                        headers={'Retry-After': str(max(1, math.ceil(error.retry_after)))})


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep (the body is <= 64 KiB)
        return None
    return body if isinstance(body, dict) else None


def register(services: Services) -> None:
    @app.post('/api/session', status_code=204, response_model=None)
    async def create_session(request: Request) -> Response:
        body = await _json_object(request)
        if body is None:
            return _detail(422, 'Send a JSON object with "username" and "password".')
        try:
            user = await services.accounts.sign_in(
                body.get('username'), body.get('password'),  # type: ignore[arg-type]
                address=request.client.host if request.client else None, device=device_cookie(request))
        except AuthenticationFailed as e:
            return _detail(401, str(e))
        except ServerBusy as e:
            return JSONResponse({'detail': str(e)}, status_code=503, headers={'Retry-After': '1'})
        except RateLimited as e:
            return _too_many(e)
        except ValidationError as e:
            return _detail(422, str(e))
        response = Response(status_code=204)
        set_cookies(services, request, response, await replace_session(services, request, user), user)
        return response

    @app.delete('/api/session', status_code=204, response_model=None)
    async def delete_session(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            await services.sessions.end(session_id(token))
        response = Response(status_code=204)
        clear_cookie(request, response)
        return response

    @app.post('/api/rooms/{room_id}/messages', status_code=201, response_model=None)
    async def post_message(room_id: str, request: Request) -> JSONResponse:
        found = await user_from_request(services, request)
        if found is None:
            return _detail(401, 'Sign in first.')
        user = found[0]
        if not room_id.isascii() or not room_id.isdigit() or len(room_id) > 30:
            return _detail(404, 'That room does not exist')  # a number any longer is far past the id column
        body = await _json_object(request)
        if body is None:
            return _detail(422, 'Send a JSON object with "body" and "client_id".')
        try:
            message = await services.messages.post(user, int(room_id), body.get('body'), body.get('client_id'))  # type: ignore[arg-type]
        except ValidationError as e:
            return _detail(422, str(e))
        except Forbidden as e:
            return _detail(403, str(e))
        except NotFound as e:
            return _detail(404, str(e))
        except RateLimited as e:
            return _too_many(e)
        return JSONResponse({'seq': message.seq}, status_code=201)
