"""Server-side sessions as a person meets them (issue 8 rows 5, 7, 14): a new cookie at every sign-in,
sign-out ending every page of the session, "Sign out everywhere", a password change, no session files."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from nicegui import Client, ui
from nicegui.testing import User

from chat_ui.session import COOKIE

from .conftest import eventually, field, press, sign_in_over_api, sign_up


async def sign_in(user: User, name: str, password: str = 'correct horse') -> None:
    await sign_in_over_api(user, name, password)


def cookie(user: User) -> str | None:
    return next((c.value for c in user.http_client.cookies.jar if c.name == COOKIE), None)


async def lands_on_login(user: User, old: Client) -> None:
    """A page whose session ended: inert at once (nothing left for a script to click), told to open
    /login (a real browser follows: tests/browser/test_sessions.py), and signed out when it does."""
    await eventually(lambda: not old.elements)
    await user.open('/')
    await user.should_see('Create account')


def same_browser(first: User, second: User) -> None:
    """A second tab of the first one's browser: the same cookies (a copy of the jar as it is now)."""
    second.http_client.cookies = first.http_client.cookies


def click_message(button: ui.button) -> dict[str, object]:
    """What a page's script sends over its socket when this button is clicked."""
    (listener_id,) = [key for key, listener in button._event_listeners.items() if listener.type == 'click']
    return {'id': button.id, 'listener_id': listener_id, 'args': []}


async def message_bodies(user: User) -> list[str]:
    (pane,) = [e for e in user.client.elements.values() if type(e).__name__ == 'MessageList']
    return [m['body'] or m['html'] for m in pane.props.get('history', [])]


async def test_every_sign_in_gets_a_new_session_cookie(user: User) -> None:
    user.http_client.cookies.set(COOKIE, 'chosen-by-an-attacker', domain='test.local')
    await sign_up(user, 'alice')
    first = cookie(user)
    assert first and first != 'chosen-by-an-attacker'
    user.find(marker='sign-out').click()
    await user.should_see('Create account', retries=30)
    await sign_in(user, 'alice')
    second = cookie(user)
    assert second and second != first
    user.http_client.cookies.clear()
    user.http_client.cookies.set(COOKIE, first, domain='test.local')  # the old token signs nobody in
    await user.open('/')
    await user.should_see('Create account')


async def test_sign_out_sends_every_page_of_the_session_to_login_and_they_cannot_post(
        create_user: Callable[[], User]) -> None:
    first = create_user()
    await sign_up(first, 'alice')
    second = create_user()
    same_browser(first, second)
    await second.open('/')
    await second.should_see('Members')
    old = second.client
    (send,) = [e for e in old.elements.values() if isinstance(e, ui.button) and e.text == 'Send']
    (box,) = [e for e in old.elements.values() if isinstance(e, ui.textarea)]
    box.value = 'before sign-out'
    click = click_message(send)
    old.handle_event(dict(click))  # straight into NiceGUI's event handling, as from the socket
    await asyncio.sleep(0.2)
    first.find(marker='sign-out').click()
    await first.should_see('Create account', retries=30)
    await eventually(lambda: not old.elements)  # nothing left on the old page for a script to click
    old.handle_event(dict(click))  # a page that ignored the navigation sends anyway
    await asyncio.sleep(0.2)
    await lands_on_login(second, old)
    watcher = create_user()
    await sign_up(watcher, 'bob')
    bodies = await message_bodies(watcher)
    assert bodies.count('<p>before sign-out</p>') == 1  # posted once before, never after


async def test_signing_in_again_on_a_browser_ends_its_old_session(create_user: Callable[[], User]) -> None:
    first = create_user()
    await sign_up(first, 'alice')
    await sign_up(create_user(), 'bob')
    tab = create_user()
    same_browser(first, tab)
    await tab.open('/')
    await tab.should_see('Members')
    old = tab.client
    response = await first.http_client.post('/api/session', json={'username': 'bob', 'password': 'correct horse'})
    assert response.status_code == 204
    await eventually(lambda: not old.elements)  # alice's page in that browser is over
    same_browser(first, tab)  # (httpx copies a jar when it is assigned)
    await tab.open('/')
    await tab.should_see('Signed in as')
    assert 'bob' in str([e.content for e in tab.find(kind=ui.html).elements])


async def test_no_session_files_are_written(user: User, fresh_data_dir: Path) -> None:
    await sign_up(user, 'alice')
    user.find(marker='sign-out').click()
    await user.should_see('Create account', retries=30)
    await sign_in(user, 'alice')
    await asyncio.sleep(0.3)  # NiceGUI writes its storage files lazily
    assert sorted(p.name for p in (fresh_data_dir / 'sessions').glob('storage-user-*')) == []


async def test_change_password_ends_the_other_sessions(create_user: Callable[[], User]) -> None:
    first = create_user()
    await sign_up(first, 'alice')
    elsewhere = create_user()
    await sign_in(elsewhere, 'alice')
    old = elsewhere.client
    await first.open('/account')
    field(first, 'Current password').type('correct horse')
    field(first, 'New password').type('battery staple')
    field(first, 'Repeat new password').type('battery stapler')
    press(first, 'Change password')
    await first.should_see('The new passwords do not match.')
    field(first, 'Repeat new password').clear().type('battery staple')
    press(first, 'Change password')
    await first.should_see('Password changed. 1 other session signed out.', retries=50)
    await lands_on_login(elsewhere, old)
    await first.open('/')
    await first.should_see('Members')  # this session goes on
    await sign_in(elsewhere, 'alice', 'battery staple')


async def test_wrong_current_password_is_explained(user: User) -> None:
    await sign_up(user, 'alice')
    await user.open('/account')
    field(user, 'Current password').type('not my password')
    field(user, 'New password').type('battery staple')
    field(user, 'Repeat new password').type('battery staple')
    press(user, 'Change password')
    await user.should_see('Your current password is not right.', retries=50)


async def test_sign_out_everywhere(create_user: Callable[[], User]) -> None:
    first = create_user()
    await sign_up(first, 'alice')
    elsewhere = create_user()
    await sign_in(elsewhere, 'alice')
    old = elsewhere.client
    await first.open('/account')
    press(first, 'Sign out everywhere')
    await first.should_see('Create account', retries=30)
    await lands_on_login(elsewhere, old)


async def test_the_api_uses_the_same_server_side_sessions(create_user: Callable[[], User]) -> None:
    await sign_up(create_user(), 'alice')
    client = create_user().http_client
    response = await client.post('/api/session', json={'username': 'alice', 'password': 'correct horse'})
    assert response.status_code == 204
    set_cookies = response.headers.get_list('set-cookie')
    (session_cookie,) = [c for c in set_cookies if c.startswith(f'{COOKIE}=')]
    assert 'HttpOnly' in session_cookie and 'samesite=lax' in session_cookie.lower() and 'Path=/' in session_cookie
    posted = await client.post('/api/rooms/1/messages', json={'body': 'hi', 'client_id': 'api-1'})
    assert posted.status_code == 201
    old = next(c.value for c in client.cookies.jar if c.name == COOKIE)
    assert (await client.delete('/api/session')).status_code == 204
    client.cookies.set(COOKIE, old, domain='test.local')  # a copy kept by a thief is worth nothing now
    refused = await client.post('/api/rooms/1/messages', json={'body': 'again', 'client_id': 'api-2'})
    assert refused.status_code == 401 and refused.json() == {'detail': 'Sign in first.'}


async def test_a_ticket_works_once_and_only_in_the_browser_that_asked(create_user: Callable[[], User]) -> None:
    user = create_user()
    await user.open('/auth/continue?ticket=made-up')
    await user.should_see('Create account')
    field(user, 'Username').type('alice')
    field(user, 'Password').type('correct horse')
    tickets: list[str] = []
    original = ui.navigate.to

    def keep(target: object, new_tab: bool = False) -> None:
        tickets.append(str(target))

    ui.navigate.to = keep  # type: ignore[method-assign]  # hold the ticket instead of following it
    try:
        press(user, 'Create account')
        await eventually(lambda: bool(tickets))
    finally:
        ui.navigate.to = original  # type: ignore[method-assign]
    (target,) = tickets
    assert target.startswith('/auth/continue?ticket=')
    thief = create_user()  # another browser that got hold of the link
    await thief.open(target)
    await thief.should_see('Create account')
    await user.open(target)  # the thief's try used it up: single use
    await user.should_see('Create account')
