"""Open pages per user, and pages whose socket never connects.

Every page is a NiceGUI client in server memory (about 0.2 MiB for a room page). Two bounds:

- A signed-in user keeps at most `pages_per_user` pages open in this process. Opening one more closes
  the oldest, as WhatsApp Web or Slack's "open in another tab" do rather than refusing the newest: the
  page the person just opened is the one they want. A connected oldest page is sent to `/closed`, which
  says why and offers to continue there; one that never connected is simply freed.
- A page whose socket never connects (a script loading pages, a browser that went away) is freed after
  `UNCONNECTED_AFTER` seconds: NiceGUI 3.18 does this itself only after 60 s (`Client.prune_instances`,
  run every 10 s), which let 300 page loads hold 69 MiB for a minute.

Counts live in one `OpenPages` object per app (on `app.state`), not in the module.
"""
from __future__ import annotations

import asyncio
from html import escape

from fastapi.responses import HTMLResponse
from nicegui import Client, app, background_tasks, ui

from services.bootstrap import Services

UNCONNECTED_AFTER = 15.0  # seconds a page may take to open its socket
PRUNE_EVERY = 5.0
CLOSED_PATH = '/closed'


class OpenPages:
    def __init__(self, per_user: int | None) -> None:
        self.per_user = per_user
        self.by_user: dict[int, list[str]] = {}  # user id -> client ids, oldest first

    def admit(self, user_id: int, client: Client) -> None:
        """Count `client` as one of the user's pages; close the oldest ones past the limit."""
        if self.per_user is None:
            return
        pages = [cid for cid in self.by_user.get(user_id, []) if cid in Client.instances and cid != client.id]
        pages.append(client.id)
        while len(pages) > self.per_user:
            _close(Client.instances[pages.pop(0)])
        self.by_user[user_id] = pages
        client.on_delete(lambda: self._forget(user_id, client.id))

    def _forget(self, user_id: int, client_id: str) -> None:
        pages = [cid for cid in self.by_user.get(user_id, []) if cid != client_id]
        if pages:
            self.by_user[user_id] = pages
        else:
            self.by_user.pop(user_id, None)


def _close(client: Client) -> None:
    if not client.has_socket_connection:
        client.delete()
        return
    with client:
        ui.navigate.to(CLOSED_PATH)

    async def free() -> None:  # the browser leaves at once; do not keep its elements for the reconnect grace
        try:
            await asyncio.wait_for(client.disconnected(), 5.0)
        except TimeoutError:
            pass  # a page that ignores the navigation is closed all the same
        if client.id in Client.instances:
            client.delete()

    background_tasks.create(free(), name=f'close page {client.id}')


def admit_page(user_id: int) -> None:
    """Count the page being built for `user_id` (call inside the page function)."""
    pages: OpenPages | None = getattr(app.state, 'chat_open_pages', None)
    if pages is not None:
        pages.admit(user_id, ui.context.client)


def install(services: Services) -> None:
    """The per-user count, the `/closed` page and the quick release of pages that never connect."""
    limit = services.settings.edge.pages_per_user
    app.state.chat_open_pages = OpenPages(limit if services.settings.limits.enabled else None)
    text = (f'This page was closed because you opened the chat in another tab or window '
            f'(at most {limit} open pages per person).')

    @app.get(CLOSED_PATH, include_in_schema=False)
    def closed() -> HTMLResponse:
        return HTMLResponse(f'<!doctype html><meta charset="utf-8"><title>Closed · Chat</title>'
                            f'<p>{escape(text)}</p><p><a href="/">Use the chat here</a></p>')

    def prune() -> None:
        Client.prune_instances(client_age_threshold=UNCONNECTED_AFTER)

    app.on_startup(lambda: app.timer(PRUNE_EVERY, prune))
