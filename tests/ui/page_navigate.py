"""Navigation in the simulated browsers goes to the User whose page navigates.

NiceGUI's User fixture replaces the global `ui.navigate` with the navigator of whichever User was touched last,
and a User is touched not only by the test but by its own page's updates (the simulated outbox reads the User).
So when bob signs up while alice's page receives live updates ("bob is online"), the sign-in's
`ui.navigate.to('/auth/continue?...')` could reach alice's simulated browser: alice opened bob's ticket (refused:
it works only in the browser that asked) and bob never left the login page. Seen three times in three runs of the
tier with a probe in `continue_signed_in`; it was the "second sign-in that now and then never lands".
In a real browser `ui.navigate` always acts on the page whose handler runs (`ui.context.client`); here too.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import pytest
from nicegui import ui
from nicegui.element import Element
from nicegui.functions.navigate import Navigate
from nicegui.testing import User


class PageNavigate(Navigate):
    """`ui.navigate` for every simulated User: the one whose page is the current context, else the last touched."""

    def __init__(self) -> None:
        super().__init__()
        self.users: weakref.WeakSet[User] = weakref.WeakSet()
        self.last: Navigate | None = None

    def _navigator(self) -> Navigate:
        try:
            client = ui.context.client
        except RuntimeError:  # no page context (a background task): NiceGUI's own choice
            client = None
        for user in list(self.users):
            if client is not None and object.__getattribute__(user, 'client') is client:
                navigator: Navigate = object.__getattribute__(user, 'navigate')
                return navigator
        assert self.last is not None, 'no simulated User has opened a page'
        return self.last

    def to(self, target: Callable[..., Any] | str | Element, new_tab: bool = False) -> None:
        self._navigator().to(target, new_tab)

    def back(self) -> None:
        self._navigator().back()

    def forward(self) -> None:
        self._navigator().forward()

    def reload(self) -> None:
        self._navigator().reload()


def route_navigation(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on until the test ends, every User's touch sets `ui.navigate` to one PageNavigate."""
    router = PageNavigate()
    original = User.__getattribute__

    def getattribute(self: User, name: str) -> Any:
        value = original(self, name)  # (sets ui.navigate to this User's navigator)
        if name not in {'notify', 'navigate', 'download'}:
            router.users.add(self)
            router.last = object.__getattribute__(self, 'navigate')
            ui.navigate = router
        return value

    monkeypatch.setattr(User, '__getattribute__', getattribute)
