"""Who is signed in: our own session cookie (a random token; the store keeps only its hash).

NiceGUI's `app.storage.user` is not used for identity: it lives behind NiceGUI's browser id, which is
never renewed, and writes a file per browser. Sign-in runs over the page's socket, where no cookie can
be set, so the page swaps a one-time ticket for the cookie on an HTTP route (`/auth/continue`).
Every page subscribes to its user's topic; when its session ends (sign-out, "Sign out everywhere",
a password change, expiry) it goes to /login and stops acting for the user.
"""
from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import Client, app, background_tasks, core, ui

from services.bootstrap import Services
from services.errors import NotFound
from services.events import SessionsEnded
from services.models import AuthSession, User
from services.sessions import binding_of, session_id

from .bridge import Bridge
from .components.message_list import known_sockets

COOKIE = 'chat_session'
DEVICE_COOKIE = 'chat_device'
CONTINUE = '/auth/continue'
DEVICE_MAX_AGE = 365 * 86400
PAGE_TOUCH_EVERY = 6 * 3600.0  # seconds between idle-expiry renewals by an open page


def _browser_binding(request: Request) -> str:
    """A hash of NiceGUI's browser id (its signed cookie): a ticket only works in the browser that asked."""
    browser = request.session.get('id') if 'session' in request.scope else None
    return binding_of(browser if isinstance(browser, str) else None)


async def user_from_request(services: Services, request: Request) -> tuple[User, AuthSession] | None:
    """The signed-in user and their live session, or None (also when the account no longer exists)."""
    session = await services.sessions.resolve(request.cookies.get(COOKIE))
    if session is None:
        return None
    try:
        return await services.accounts.get_user(session.user_id), session
    except NotFound:
        return None


async def current_user(services: Services) -> User | None:
    """The signed-in user of the page being built, or None."""
    found = await user_from_request(services, ui.context.client.request)
    return found[0] if found is not None else None


def page_session_id() -> str | None:
    """The id of the session the current page was loaded with."""
    token = ui.context.client.request.cookies.get(COOKIE)
    return session_id(token) if token else None


def device_cookie(request: Request) -> str | None:
    return request.cookies.get(DEVICE_COOKIE)


async def continue_signed_in(services: Services, user: User) -> None:
    """From a page handler after a successful sign-in: open the route that sets the session cookie."""
    ticket = await services.sessions.issue_ticket(user, _browser_binding(ui.context.client.request))
    ui.navigate.to(f'{CONTINUE}?ticket={ticket}')


def set_cookies(services: Services, request: Request, response: Response, token: str, user: User) -> None:
    """The session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) and a fresh device cookie."""
    secure = request.url.scheme == 'https'
    response.set_cookie(COOKIE, token, max_age=int(services.settings.session_max_age), path='/',
                        httponly=True, samesite='lax', secure=secure)
    response.set_cookie(DEVICE_COOKIE, services.accounts.device_cookie(user), max_age=DEVICE_MAX_AGE, path='/',
                        httponly=True, samesite='lax', secure=secure)
    response.headers['Cache-Control'] = 'no-store'


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path='/', httponly=True, samesite='lax', secure=request.url.scheme == 'https')


async def replace_session(services: Services, request: Request, user: User) -> str:
    """A new session for `user` (a new token at every sign-in: no fixation); the browser's old one ends."""
    old = request.cookies.get(COOKIE)
    if old:
        await services.sessions.end(session_id(old))
    token, _ = await services.sessions.create(user)
    return token


def watch_session(services: Services, bridge: Bridge, user: User, session: str | None) -> None:
    """Send the current page to /login, for good, when its session ends (on any instance)."""
    client = ui.context.client

    def on_user_event(event: object) -> None:  # synchronous: the page is refused before `end` returns
        if isinstance(event, SessionsEnded) and (session is None or session in event.session_ids):
            end_page(client)

    bridge.topic(f'user:{user.id}').subscribe(on_user_event)

    async def keep_watching() -> None:
        # a sign-out between this page's session check and the subscription above was not heard: look once more
        if session is None or not await services.sessions.alive(session):
            end_page(client)
            return
        # then, while the page is open and connected, renew the session's idle expiry now and then (no element)
        while True:
            await asyncio.sleep(PAGE_TOUCH_EVERY)
            if client.is_deleted or not client.elements:
                return
            if client.has_socket_connection:
                await services.sessions.seen(session)

    watcher = background_tasks.create(keep_watching(), name=f'session watch {client.id}')
    client.on_delete(watcher.cancel)  # a sleeping watcher would keep the deleted page in memory for hours


def end_page(client: Client) -> None:
    """Navigate to /login, then make the page inert even for a script that ignores the navigation:
    no elements (so no event handler runs), no connect handlers (a reconnect re-enters no chat room,
    counts no presence) and its sockets out of every chat room (no more live messages)."""
    client.open('/login')  # to this client, not through the global ui.navigate (whoever acted last)
    client.connect_handlers.clear()
    client.remove_all_elements()
    sockets = known_sockets(client)

    async def leave_rooms() -> None:
        for sid in sockets:
            for room in core.sio.rooms(sid):
                if room not in (sid, client.id):
                    await core.sio.leave_room(sid, room)

    if sockets:
        background_tasks.create(leave_rooms(), name=f'end page {client.id}')


def register(services: Services) -> None:
    @app.get(CONTINUE, include_in_schema=False)
    async def continue_route(request: Request, ticket: str = '') -> Response:
        redeemed = await services.sessions.redeem_ticket(ticket, _browser_binding(request))
        if redeemed is None:
            return RedirectResponse('/login', status_code=303, headers={'Cache-Control': 'no-store'})
        token, session = redeemed
        old = request.cookies.get(COOKIE)
        if old and session_id(old) != session.id:
            await services.sessions.end(session_id(old))  # this browser's earlier session is over
        user = await services.accounts.get_user(session.user_id)
        response = RedirectResponse('/', status_code=303)
        set_cookies(services, request, response, token, user)
        return response
