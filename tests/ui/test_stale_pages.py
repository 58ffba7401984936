"""A page whose viewer is no longer a member (removed, or left where this page did not hear it) stays quiet.

Its `latest`, `older`, `catchup` and typing events are refused by the services (Forbidden): the page gets no
messages, nobody sees it typing, and the log holds no traceback. An unexpected failure is logged once.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from nicegui.testing import User

from chat_ui.components.message_list import MessageList

from .conftest import RoomEmits, field, sign_up


def record_answers(user: User) -> tuple[MessageList, list[tuple[str, tuple[Any, ...]]]]:
    """The pane of the user's page, and every method the server calls on it in the browser from now on."""
    (pane,) = user.find(kind=MessageList).elements
    calls: list[tuple[str, tuple[Any, ...]]] = []
    original = pane.run_method

    def record(name: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((name, args))
        return original(name, *args, **kwargs)

    pane.run_method = record  # type: ignore[method-assign]
    return pane, calls


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info is not None]


async def test_a_stale_page_gets_nothing_and_logs_no_traceback(
        create_user: Callable[[], User], caplog: pytest.LogCaptureFixture, room_emits: RoomEmits) -> None:
    alice, bob = create_user(), create_user()
    await sign_up(alice, 'alice')
    await sign_up(bob, 'bob')
    pane, calls = record_answers(bob)
    services, room_id = pane._services, int(pane.props['roomId'])
    # removed behind the page's back: no event reaches it (as when the removal happened on another instance)
    async with services.store.unit() as uow:
        await uow.remove_member(room_id, pane._viewer.id)
    await services.messages.post(record_answers(alice)[0]._viewer, room_id, 'not for bob', 'c1')
    caplog.clear()

    bob.find(kind=MessageList).trigger('latest', {})
    bob.find(kind=MessageList).trigger('older', {'before': 99})
    bob.find(kind=MessageList).trigger('catchup', {'after': 0})
    field(bob, 'Message').type('still here?').trigger('update:value', 'still here?')
    await asyncio.sleep(0.5)  # the handlers run as tasks

    assert tracebacks(caplog) == []
    messages_sent = [args for _, args in calls if any(isinstance(a, list) and a for a in args)]
    assert messages_sent == [], calls  # not one message reached the stale page
    assert all(name != 'setHistory' for name, _ in calls), calls  # what it shows is not wiped either
    assert room_emits.events('typing.changed') == []  # nobody is told bob types


async def test_an_unexpected_failure_is_logged_once_and_the_page_is_told_to_retry(
        user: User, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    await sign_up(user, 'alice')
    pane, calls = record_answers(user)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError('database went away')

    for service, name in ((pane._services.messages, 'latest'), (pane._services.messages, 'after'),
                          (pane._services.typing, 'started')):
        monkeypatch.setattr(service, name, broken)
    caplog.clear()
    user.find(kind=MessageList).trigger('latest', {})
    user.find(kind=MessageList).trigger('catchup', {'after': 0})
    field(user, 'Message').type('hello').trigger('update:value', 'hello')
    await asyncio.sleep(0.5)

    # each failure is one log entry of ours, saying what failed (NiceGUI's generic handler is not reached)
    ours = [r for r in caplog.records if r.exc_info is not None]
    assert [r.name.split('.')[0] for r in ours] == ['chat_ui'] * 3, [(r.name, r.getMessage()) for r in ours]
    assert ('catchUpFailed', ()) in calls  # the page retries the catch-up by itself (message_list.js)
    assert all(name != 'setHistory' for name, _ in calls), calls
    assert not pane.is_deleted
    caplog.clear()  # these ERROR entries were the point (the fixture fails a test on unexpected ones)

