"""Who is signed in: the user's id lives in `app.storage.user`, which NiceGUI keeps on the server."""
from __future__ import annotations

from nicegui import app

from services.bootstrap import Services
from services.errors import NotFound
from services.models import User


async def current_user(services: Services) -> User | None:
    """The signed-in user, or None (also when the account no longer exists)."""
    user_id = app.storage.user.get('user_id')
    if not isinstance(user_id, int):
        return None
    try:
        return await services.accounts.get_user(user_id)
    except NotFound:
        app.storage.user.clear()
        return None


def sign_in(user: User) -> None:
    app.storage.user.update(user_id=user.id, username=user.username)


def sign_out() -> None:
    app.storage.user.clear()
