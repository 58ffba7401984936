"""Conversations on the real stores: checks and changes that run concurrently end in a state the policy allows."""
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.errors import ChatError
from tests.support import FAST_HASHER

from .conftest import Store


@pytest.fixture
async def services(store: Store, tmp_path: Path) -> AsyncIterator[Services]:
    svc = bootstrap(Settings(data_dir=tmp_path), store=store, bus=InProcessBus(), password_hasher=FAST_HASHER)
    await svc.start()
    yield svc
    await svc.close()


async def test_a_ban_and_a_join_at_once_never_leave_a_banned_member(services: Services) -> None:
    alice = await services.accounts.sign_up('alice', 'password-a')
    bob = await services.accounts.sign_up('bob', 'password-b')
    for i in range(5):
        room = await services.rooms.create_room(alice, f'race{i}')
        results = await asyncio.gather(services.rooms.join(bob, room.id),
                                       services.membership.ban(alice, room.id, 'bob'), return_exceptions=True)
        assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, ChatError)]
        standing = await services.store.standing(room.id, bob.id)
        assert standing.banned and standing.role is None, results
        notices = [(m.kind, m.body) for m in await services.store.latest(room.id, 10)]
        assert notices in ([], [('join', 'bob joined'), ('leave', 'alice banned bob')])


async def test_both_people_opening_their_dm_at_once_share_one(services: Services) -> None:
    alice = await services.accounts.sign_up('alice', 'password-a')
    bob = await services.accounts.sign_up('bob', 'password-b')
    rooms = await asyncio.gather(*(services.conversations.open_dm(a, b.username)
                                   for a, b in [(alice, bob), (bob, alice)] * 3))
    assert len({room.id for room in rooms}) == 1
    assert [c.title for c in await services.conversations.list_dms(bob)] == ['alice']
