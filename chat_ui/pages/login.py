"""`/login`: sign in or create an account; a success continues on `/auth/continue`, which sets the cookie."""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError

from ..session import continue_signed_in, current_user, device_cookie


def register(services: Services) -> None:
    @ui.page('/login', title='Sign in · Chat')
    async def login_page() -> RedirectResponse | None:
        if await current_user(services) is not None:
            return RedirectResponse('/', status_code=303)
        with ui.column().classes('absolute-center w-full max-w-sm p-4'):
            with ui.card().classes('w-full gap-3'):
                ui.label('Chat').classes('text-h5 font-bold')
                ui.label('Talk with your team in real time.').classes('text-grey-7')
                username = ui.input('Username').props('autocomplete=username autofocus outlined').classes('w-full')
                password = ui.input('Password', password=True, password_toggle_button=True) \
                    .props('autocomplete=current-password outlined').classes('w-full')
                error = ui.label().classes('text-negative').props('role=alert').mark('login-error')
                error.set_visibility(False)
                with ui.row().classes('w-full justify-between'):
                    sign_in_button = ui.button('Sign in')
                    create_button = ui.button('Create account').props('outline')

        # The peer address of the page's HTTP request (NiceGUI's Client.ip). Behind a reverse proxy this is
        # the proxy's address unless uvicorn trusts its forwarded headers; '' means unknown (no per-address limit).
        address = ui.context.client.ip or None
        device = device_cookie(ui.context.client.request)  # this browser's, if someone signed in here before

        async def attempt(create: bool) -> None:
            error.set_visibility(False)
            sign_in_button.disable()
            create_button.disable()
            try:
                if create:  # the new account is signed in at once: one hash, not two
                    user = await services.accounts.sign_up(username.value or '', password.value or '', address)
                else:
                    user = await services.accounts.sign_in(username.value or '', password.value or '', address,
                                                           device)
                await continue_signed_in(services, user)
            except ChatError as e:
                error.set_text(str(e))
                error.set_visibility(True)
                return
            finally:
                sign_in_button.enable()
                create_button.enable()

        sign_in_button.on_click(lambda: attempt(create=False))
        create_button.on_click(lambda: attempt(create=True))
        password.on('keydown.enter', lambda: attempt(create=False))
        return None
