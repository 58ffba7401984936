"""Issue 8 row 12: a page whose socket never connects is freed after 15 s (NiceGUI alone keeps it 60-70 s)."""
from __future__ import annotations

import asyncio

from nicegui import Client
from nicegui.testing import User

from chat_ui.open_pages import UNCONNECTED_AFTER

from .conftest import sign_up


async def test_a_page_that_never_connects_is_freed_soon(user: User) -> None:
    await sign_up(user, 'alice')
    before = set(Client.instances)
    response = await user.http_client.get('/rooms')  # built on the server; no socket ever comes
    assert response.status_code == 200
    [orphan] = [Client.instances[cid] for cid in set(Client.instances) - before]
    assert not orphan.has_socket_connection
    orphan.created -= UNCONNECTED_AFTER  # as if it had been waiting that long
    for _ in range(100):  # the pruning runs every 5 s
        if orphan.id not in Client.instances:
            break
        await asyncio.sleep(0.1)
    assert orphan.id not in Client.instances
