"""NiceGUI pages and components of the chat. `register` wires them to a `Services` object."""
from __future__ import annotations

from collections.abc import Callable

from services.bootstrap import Services

from . import api, emoji_route, files_api, open_pages, security, session
from .bridge import Bridge
from .lifecycle import manage
from .pages import account, all_rooms, browse, dm, login, room, search
from .theme import add_theme


def register(services: Services, after_start: Callable[[], None] | None = None) -> Bridge:
    """Register the pages and the bus bridge; call once, before `ui.run`; `after_start` runs once the services
    have started (main.py freezes what exists then out of the garbage collector's way: chat_ui/collector.py)."""
    security.install(services.settings)
    open_pages.install(services)
    bridge = Bridge(services)
    services.bus.subscribe(bridge.handle)
    manage(services, after_start)
    add_theme()
    login.register(services)
    room.register(services, bridge)
    browse.register(services, bridge)
    dm.register(services, bridge)
    all_rooms.register(services, bridge)
    api.register(services)
    session.register(services)  # the sign-in ticket route
    account.register(services, bridge)
    search.register(services, bridge)
    emoji_route.register()  # the emoji picker's data (message_list.js)
    files_api.register(services)
    return bridge
