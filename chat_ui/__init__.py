"""NiceGUI pages and components of the chat. `register` wires them to a `Services` object."""
from __future__ import annotations

from services.bootstrap import Services

from . import api, open_pages, security, session
from .bridge import Bridge
from .lifecycle import manage
from .pages import account, browse, login, room
from .theme import add_theme


def register(services: Services) -> Bridge:
    """Register the pages and the bus bridge; call once, before `ui.run`."""
    security.install(services.settings)
    open_pages.install(services)
    bridge = Bridge(services)
    services.bus.subscribe(bridge.handle)
    manage(services)
    add_theme()
    login.register(services)
    room.register(services, bridge)
    browse.register(services, bridge)
    api.register(services)
    session.register(services)  # the sign-in ticket route
    account.register(services, bridge)
    return bridge
