"""Sign up, sign in, sign out and the redirects around them, as a person using the login page."""
from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from .conftest import field, press, sign_up


async def test_signed_out_visitor_is_sent_to_login(user: User) -> None:
    for path in ('/', '/room/1', '/rooms'):
        await user.open(path)
        await user.should_see('Sign in')
        await user.should_see('Create account')


async def test_sign_up_lands_in_general(user: User) -> None:
    await sign_up(user, 'Alice')
    await user.should_see('general')  # room list and header
    await user.should_see('Company-wide chat')  # the topic in the header


async def test_sign_in_and_wrong_password(create_user: Callable[[], User]) -> None:
    first = create_user()
    await sign_up(first, 'alice')
    second = create_user()
    await second.open('/login')
    field(second, 'Username').type('alice')
    field(second, 'Password').type('wrong password')
    press(second, 'Sign in')
    await second.should_see('Wrong username or password', retries=50)
    field(second, 'Password').clear().type('correct horse')
    press(second, 'Sign in')
    await second.should_see('Members', retries=150)


async def test_taken_name_and_bad_input_are_explained(create_user: Callable[[], User]) -> None:
    first = create_user()
    await sign_up(first, 'alice')
    second = create_user()
    await second.open('/login')
    field(second, 'Username').type('ALICE')
    field(second, 'Password').type('correct horse')
    press(second, 'Create account')
    await second.should_see('That username is taken', retries=50)
    field(second, 'Username').clear().type('x')
    press(second, 'Create account')
    await second.should_see('Username must be at least 3 characters.', retries=50)
    field(second, 'Username').clear().type('bob')
    field(second, 'Password').clear().type('short')
    press(second, 'Create account')
    await second.should_see('Password must be at least 8 characters.', retries=50)


async def test_sign_out_ends_the_session(user: User) -> None:
    await sign_up(user, 'alice')
    user.find(marker='sign-out').click()
    await user.should_see('Create account', retries=30)
    await user.open('/')
    await user.should_see('Create account')
