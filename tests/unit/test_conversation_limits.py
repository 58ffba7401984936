"""Per-user limits on what conversations add: new DMs and groups, invitations and moderation, searches."""
from __future__ import annotations

import pytest

from services.bootstrap import Services
from services.errors import RateLimited
from services.models import User

from .conftest import FakeClock


@pytest.fixture
async def people(services: Services) -> list[User]:
    return [await services.accounts.sign_up(f'p{i:02d}', 'password-x') for i in range(12)]


async def test_new_conversations_are_limited_but_opening_one_again_is_free(
        services: Services, alice: User, people: list[User], clock: FakeClock) -> None:
    burst = services.settings.limits.conversation_burst
    for person in people[:burst]:
        await services.conversations.open_dm(alice, person.username)
    for _ in range(5):  # the same DMs again (a link clicked twice): never refused, nothing new
        assert (await services.conversations.open_dm(alice, people[0].username)).kind == 'dm'
    with pytest.raises(RateLimited, match='Slow down'):
        await services.conversations.open_dm(alice, people[burst].username)
    with pytest.raises(RateLimited):
        await services.conversations.open_group(alice, [p.username for p in people[:3]])
    clock.advance(services.settings.limits.conversation_every)
    await services.conversations.open_dm(alice, people[burst].username)
    assert len(await services.conversations.list_dms(alice)) == burst + 1


async def test_invitations_and_moderation_are_limited_per_acting_user(
        services: Services, alice: User, bob: User, people: list[User]) -> None:
    room = await services.rooms.create_room(alice, 'ops')
    burst = services.settings.limits.moderate_burst
    actions = 0
    with pytest.raises(RateLimited):
        for person in people * 2:  # invite and remove, over and over
            await services.membership.invite(alice, room.id, person.username)
            actions += 1
            await services.membership.remove(alice, room.id, person.username)
            actions += 1
    assert actions == burst
    await services.membership.invite(bob, (await services.rooms.create_room(bob, 'dev')).id, 'alice')  # bob's own


async def test_searches_are_limited_and_a_refused_query_costs_nothing(services: Services, alice: User) -> None:
    for _ in range(20):
        with pytest.raises(Exception, match='Type a word'):
            await services.search.messages(alice, '   ')
    for _ in range(services.settings.limits.search_burst):
        await services.search.messages(alice, 'hello')
    with pytest.raises(RateLimited):
        await services.search.messages(alice, 'hello')
