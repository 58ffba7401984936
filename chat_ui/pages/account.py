"""`/account`: change the password, read receipts on or off, sign out everywhere."""
from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.bootstrap import Services
from services.errors import ChatError

from ..bridge import Bridge
from ..components.frame import frame
from ..session import current_user, page_session_id


def register(services: Services, bridge: Bridge) -> None:
    @ui.page('/account', title='Account · Chat')
    async def account_page() -> RedirectResponse | None:
        user = await current_user(services)
        if user is None:
            return RedirectResponse('/login', status_code=303)
        session = page_session_id()
        middle = await frame(services, bridge, user)
        with middle:
            ui.label('Account').classes('text-subtitle1 font-bold').props('role=heading aria-level=1')

        with ui.column().classes('w-full max-w-md mx-auto p-4 gap-3'):
            ui.label('Change password').classes('text-h6').props('role=heading aria-level=2')
            current = ui.input('Current password', password=True).props('autocomplete=current-password outlined') \
                .classes('w-full')
            new = ui.input('New password', password=True).props('autocomplete=new-password outlined') \
                .classes('w-full')
            again = ui.input('Repeat new password', password=True).props('autocomplete=new-password outlined') \
                .classes('w-full')
            result = ui.label().props('role=status').mark('password-result')
            change = ui.button('Change password').props('unelevated no-caps')
            ui.separator()
            ui.label('Privacy').classes('text-h6').props('role=heading aria-level=2')
            receipts = ui.switch('Send read receipts', value=await services.reads.sends_receipts(user))
            ui.label('Others see when you have read their messages. Turned off, you see nobody\'s either.') \
                .classes('text-grey-7')
            ui.separator()
            ui.label('Signed in elsewhere?').classes('text-h6').props('role=heading aria-level=2')
            ui.label('Sign out of every browser and app, this one included.').classes('text-grey-7')
            everywhere = ui.button('Sign out everywhere', color='negative').props('outline no-caps')

        def say(text: str, ok: bool) -> None:
            result.set_text(text)
            result.classes(replace='text-positive' if ok else 'text-negative')

        async def change_password() -> None:
            if (new.value or '') != (again.value or ''):
                say('The new passwords do not match.', False)
                return
            change.disable()
            try:
                ended = await services.accounts.change_password(user, current.value or '', new.value or '', session)
            except ChatError as e:
                say(str(e), False)
                return
            finally:
                change.enable()
            for field in (current, new, again):
                field.set_value('')
            others = f' {ended} other session{"s" if ended != 1 else ""} signed out.' if ended else ''
            say(f'Password changed.{others}', True)

        async def sign_out_everywhere() -> None:
            ui.navigate.to('/login')  # first: ending the session empties this page too
            await services.sessions.end_all(user.id)  # every page of every session goes to /login

        async def set_receipts() -> None:
            try:
                await services.reads.set_send_receipts(user, bool(receipts.value))
            except ChatError as e:
                ui.notification(str(e), type='negative')
                return
            ui.notification('Read receipts on.' if receipts.value else 'Read receipts off.', type='positive')

        receipts.on_value_change(set_receipts)
        change.on_click(change_password)
        everywhere.on_click(sign_out_everywhere)
        return None
