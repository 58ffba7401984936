"""User-fixture tests run the real `main.py` in-process, each on a fresh data directory."""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing import User, UserInteraction

from .hang_guard import HangGuard, forget_other_loops
from .page_navigate import route_navigation


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / 'data'
    monkeypatch.setenv('CHAT_DATA_DIR', str(data))
    route_navigation(monkeypatch)  # page_navigate.py: a page's navigation reaches its own simulated browser
    return data


def field(user: User, label: str) -> UserInteraction[ui.input]:
    """The input with this label (error texts may mention the label too)."""
    return user.find(kind=ui.input, content=label)


def press(user: User, label: str) -> None:
    if label in DRAWER_BUTTONS:
        drawer_button(user, label)
        return
    user.find(kind=ui.button, content=label).click()


DRAWER_BUTTONS = {'New room': 'new-room', 'New message': 'new-message'}


def drawer_button(user: User, label: str) -> None:
    """Click "New room" or "New message": plain buttons in the drawer's one HTML element (room_list.py), whose
    click handler hears the button's data-action."""
    (element,) = user.find(marker='room-list').elements
    assert f'data-action="{DRAWER_BUTTONS[label]}"' in str(element.props.get('innerHTML', '')) + str(
        getattr(element, 'content', '')), f'no {label!r} button in the drawer'
    user.find(marker='room-list').trigger('click', DRAWER_BUTTONS[label])


async def sign_up(user: User, name: str, password: str = 'correct horse') -> None:
    await user.open('/login')
    field(user, 'Username').type(name)
    field(user, 'Password').type(password)
    press(user, 'Create account')
    await user.should_see('Members', retries=80)  # landed in a room page


async def sign_in_over_api(user: User, name: str, password: str = 'correct horse') -> None:
    """Sign `user` (another browser of an existing account) in with the API's POST /api/session, then open `/`: the
    same server-side session as the login page makes, in fewer steps; the login page itself is tested by sign_up
    and tests/ui/test_accounts.py."""
    response = await user.http_client.post('/api/session', json={'username': name, 'password': password})
    assert response.status_code == 204, response.text
    await user.open('/')
    await user.should_see('Members', retries=150)


def html_of(user: User) -> str:
    """All HTML-list content of the page (room list, member panel are one HTML element each)."""
    return '\n'.join(str(e.content) for e in user.find(kind=ui.html).elements)


def room_names(user: User) -> list[str]:
    return re.findall(r'<span class="chat-room-name">([^<]*)</span>', html_of(user))


def dm_names(user: User) -> list[str]:
    """The names of the drawer's direct messages (the other people's usernames), in order."""
    return re.findall(r'<span class="chat-dm-name">([^<]*)</span>', html_of(user))


def presence(user: User) -> dict[str, str]:
    return dict((name, status) for status, name in
                re.findall(r'data-presence=(\w+) data-user="([^"]*)"', html_of(user)))


async def composer_says(user: User, text: str, retries: int = 50) -> None:
    """Wait until the composer shows `text` under the field (its error message or its counter hint)."""
    for _ in range(retries):
        (box,) = field(user, 'Message').elements
        if text in f"{box.props.get('error-message', '')} {box.props.get('hint', '')}":
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'the composer does not say {text!r}: {box.props}')


async def eventually(check: Callable[[], bool], retries: int = 50) -> None:
    """Wait (0.1 s steps) until `check()` holds, as a person waits for the page to follow."""
    for _ in range(retries):
        if check():
            return
        await asyncio.sleep(0.1)
    assert check()


class RoomEmits:
    """The room-wide live updates the server sends (`chat:live`: one Socket.IO emit per room, handled in the
    browser, which the User fixture does not run): recorded where core.sio.emit would send them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[dict[str, Any]]]] = []  # (Socket.IO room, wire events)

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for _, events in self.calls for e in events if e.get('type') == kind]


@pytest.fixture
def room_emits(monkeypatch: pytest.MonkeyPatch) -> RoomEmits:
    from nicegui import core

    from chat_ui.bridge import ROOM_EVENT

    recorded = RoomEmits()
    original = core.sio.emit

    async def emit(event: str, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if event == ROOM_EVENT:
            recorded.calls.append((str(kwargs.get('room')), list(data)))
        await original(event, data, *args, **kwargs)

    monkeypatch.setattr(core.sio, 'emit', emit)
    return recorded


LOOP = pytest.StashKey[asyncio.AbstractEventLoop]()


@pytest.fixture(autouse=True)
async def _test_loop(request: pytest.FixtureRequest) -> None:
    """The loop the test runs in, for its hang guard; NiceGUI forgets the tasks earlier tests' loops left."""
    loop = request.node.stash[LOOP] = asyncio.get_running_loop()
    stale = forget_other_loops(loop)
    if stale:
        logging.getLogger(__name__).warning('tasks of closed loops dropped: %s', ', '.join(stale))


def _guarded(item: pytest.Item) -> Iterator[None]:
    loop = item.stash.get(LOOP, None)
    capture = item.config.pluginmanager.getplugin('capturemanager')
    guard = HangGuard(item.nodeid, loop, capture.suspend_global_capture if capture else lambda: None) \
        if loop is not None else None
    if guard is not None:
        guard.start()
    try:
        yield
    finally:
        if guard is not None:
            guard.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _guarded(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield from _guarded(item)  # the app's shutdown (services, the lifespan) is as able to hang as the test


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A ui test that fails is run again up to twice (a real failure still fails every run), and one that hangs is
    # failed by its hang guard (hang_guard.py), then rerun: the simulated pages share one process and one global
    # `ui.navigate` (page_navigate.py), and a 2-core machine under load stretches their timing.
    for item in items:
        if 'tests/ui/' in str(item.path).replace('\\', '/'):
            item.add_marker(pytest.mark.flaky(reruns=2))
