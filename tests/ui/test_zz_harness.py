"""The ui tier's harness itself (runs last in the tier: the second test needs the first's leftover).

A task left pending when a test's loop closed stays in NiceGUI's global task registry; the next app's shutdown
tried to cancel it for ever (hang_guard.py). The first test leaves such a task, the second must start and stop its
app cleanly (its teardown errs, or hangs until the guard, when the registry is not cleaned).
"""
from __future__ import annotations

import asyncio

from nicegui import background_tasks
from nicegui.testing import User


async def test_a_task_is_left_pending_when_the_loop_closes(user: User) -> None:
    async def leaves() -> None:
        try:
            await asyncio.sleep(3600)
        finally:  # cancelled as the test's loop closes: starts another task, which nobody cancels then
            background_tasks.create(asyncio.sleep(3600), name='left behind')

    asyncio.get_running_loop().create_task(leaves())


async def test_the_next_app_starts_and_stops_cleanly(user: User) -> None:
    loop = asyncio.get_running_loop()
    assert [t for t in background_tasks.running_tasks if t.get_loop() is not loop] == []
    await user.open('/login')
    await user.should_see('Create account')
