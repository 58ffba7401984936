"""`/api/emoji.json`: the emoji picker's data, made once from the `emoji` package (services/emojis.py) and cached by
the browser: [[emoji, "its names"], ...]. Public (no session needed): it is the same for everyone."""
from __future__ import annotations

import functools
import json

from fastapi import Response
from nicegui import app

from services import emojis

PATH = '/api/emoji.json'
MAX_AGE = 7 * 86400  # seconds: the list changes only with the package (an upgrade, a restart)


@functools.cache
def _body() -> bytes:
    return json.dumps([list(entry) for entry in emojis.picker()], ensure_ascii=False, separators=(',', ':')).encode()


def register() -> None:
    @app.get(PATH, include_in_schema=False)
    async def emoji_data() -> Response:
        return Response(_body(), media_type='application/json',
                        headers={'Cache-Control': f'public, max-age={MAX_AGE}'})
