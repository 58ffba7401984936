"""The bridge hands out presence as it is when the batch goes out, not as the events said.

With several instances, two transitions of one user decided on different instances can arrive in
either order; the page must end up showing the status presence holds, not the last event's.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from nicegui import core

from chat_ui import bridge as bridge_module
from chat_ui.bridge import ROOM_EVENT, Bridge
from chat_ui.components.message_list import socket_room
from services.bootstrap import bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.events import PresenceChanged
from services.store.memory import MemoryStore


async def test_a_late_stale_presence_event_does_not_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, 'loop', asyncio.get_running_loop())  # background tasks outside a running app
    monkeypatch.setattr(bridge_module, 'PRESENCE_GAP', 0.01)
    services = bootstrap(Settings(data_dir=tmp_path), store=MemoryStore(), bus=InProcessBus(),
                         password_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    await services.start()
    try:
        bob = await services.accounts.sign_up('bob', 'password-b')
        general = await services.store.get_room_by_name('general')
        assert general is not None
        bridge = Bridge(services)
        services.bus.subscribe(bridge.handle)
        batches: list[Any] = []

        async def emit(event: str, data: Any, room: str) -> None:  # what would go to the room's open pages
            if event == ROOM_EVENT and room == socket_room(general.id):
                batches.append(data)

        monkeypatch.setattr(core.sio, 'emit', emit)
        await services.presence.connect(bob.id, 'page')  # online: published
        await services.bus.publish(PresenceChanged(bob.id, 'offline'))  # decided earlier elsewhere, arriving late
        for _ in range(200):
            if batches:
                break
            await asyncio.sleep(0.01)
        assert batches == [[{'v': 1, 'type': 'presence.changed', 'user_id': bob.id, 'status': 'online'}]]
    finally:
        await services.close()
