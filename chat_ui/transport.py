"""Which WebSocket implementation uvicorn uses under NiceGUI's Socket.IO server.

NiceGUI 3.18 pins uvicorn to `wsproto`, a pure-Python protocol implementation, to stay off the
deprecated legacy `websockets` API. Every chat message is framed once per connected page, so framing
is on the hot path: uvicorn's `websockets-sansio` protocol (the maintained sans-I/O API of
`websockets`, whose masking and UTF-8 checks are in C) does the same work for less CPU. `bench/`
measures the difference; CHAT_WS=wsproto switches back.
"""
from __future__ import annotations

from typing import Any

from nicegui import ui_run


def use_websockets_implementation(name: str) -> None:
    """Make `ui.run` start uvicorn with WebSocket implementation `name` instead of NiceGUI's pinned one."""
    base: Any = getattr(ui_run, 'CustomServerConfig')  # noqa: B009  (not re-exported: typed as Any)
    if getattr(base, 'chat_ws', None) == name:
        return

    class Config(base):  # type: ignore[misc]  # subclassing Any
        chat_ws = name

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs['ws'] = name
            super().__init__(*args, **kwargs)

    setattr(ui_run, 'CustomServerConfig', Config)  # noqa: B010
