"""Rate limits as a person meets them: a clear "wait N s" instead of an error in the log."""
from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User

from .conftest import composer_says, field, press, sign_up


@pytest.fixture(autouse=True)
def slow_refill(monkeypatch: pytest.MonkeyPatch) -> None:
    # Default bursts, but a refill slow enough that the wait shown does not depend on how fast the test runs.
    monkeypatch.setenv('CHAT_MESSAGE_EVERY', '60')
    monkeypatch.setenv('CHAT_SIGNIN_DELAY', '30')


async def settle(done: object) -> None:
    """Let the clicked handler run until `done()` is true (buttons ignore clicks while it runs)."""
    for _ in range(200):
        await asyncio.sleep(0.02)
        if done():  # type: ignore[operator]
            return
    raise AssertionError('the page did not finish handling the click')


async def test_repeated_wrong_passwords_lock_the_sign_in_for_a_while(user: User) -> None:
    await user.open('/login')
    field(user, 'Username').type('alice')
    press(user, 'Create account')  # no password yet: refused, and it does not count
    await user.should_see('Password must be at least 8 characters.', retries=50)
    field(user, 'Password').type('correct horse')
    press(user, 'Create account')
    await user.should_see('Members', retries=150)
    user.find(marker='sign-out').click()
    await user.should_see('Create account', retries=30)
    field(user, 'Username').type('alice')
    field(user, 'Password').type('wrong password')
    press(user, 'Sign in')
    await user.should_see('Wrong username or password', retries=50)
    (error,) = user.find(marker='login-error').elements
    (button,) = user.find(kind=ui.button, content='Sign in').elements
    assert isinstance(error, ui.label) and isinstance(button, ui.button)
    for attempt in range(5):  # five are free, the sixth starts a lockout
        field(user, 'Password').clear().type(f'wrong password {attempt}')
        press(user, 'Sign in')
        await settle(lambda: button.enabled and error.visible)
        assert error.text == 'Wrong username or password'
    field(user, 'Password').clear().type('correct horse')  # even the right one must wait now
    press(user, 'Sign in')
    await user.should_see('Too many sign-in attempts. Try again in 30 s.', retries=50)
    await user.should_see('Sign in')  # still on the login page


async def test_eleven_quick_messages_meet_slow_down(user: User) -> None:
    await sign_up(user, 'alice')
    (box,) = user.find(kind=ui.textarea).elements
    for i in range(10):
        field(user, 'Message').type(f'message {i}')
        press(user, 'Send')
        await settle(lambda: box.value == '')
    field(user, 'Message').type('one too many')
    press(user, 'Send')
    await composer_says(user, 'Slow down: you can send again in 60 s.')
    assert box.value == 'one too many'  # kept, to send later
