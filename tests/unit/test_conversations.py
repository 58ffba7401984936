"""Direct messages: the 1:1 made once, group conversations of 3-8 people, their names, and where they never show."""
import asyncio

import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, ValidationError
from services.events import MembershipChanged, MessagePosted, RoomCreated
from services.models import User

from .conftest import Recorder


@pytest.fixture
async def carol(services: Services) -> User:
    return await services.accounts.sign_up('carol', 'password-c')


@pytest.fixture
async def dave(services: Services) -> User:
    return await services.accounts.sign_up('dave', 'password-d')


async def test_a_one_to_one_is_made_once_whoever_opens_it(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    recorder.clear()
    room = await services.conversations.open_dm(alice, 'Bob')
    assert (room.kind, room.member_count) == ('dm', 2)
    assert recorder.events == [RoomCreated(room, alice.id), MembershipChanged(room.id, bob.id, 'bob', True, 2)]
    recorder.clear()
    assert (await services.conversations.open_dm(bob, 'alice')).id == room.id
    assert (await services.conversations.open_dm(alice, 'bob')).id == room.id
    assert recorder.events == []  # nothing new happened
    await services.messages.post(alice, room.id, 'psst', 'c1')
    assert [m.body for m in await services.messages.latest(bob, room.id)] == ['psst']


async def test_both_opening_at_once_get_the_same_conversation(services: Services, alice: User, bob: User) -> None:
    rooms = await asyncio.gather(*(services.conversations.open_dm(a, b.username)
                                   for a, b in [(alice, bob), (bob, alice)] * 3))
    assert len({room.id for room in rooms}) == 1


async def test_a_direct_message_is_named_after_the_other_people(
        services: Services, alice: User, bob: User, carol: User) -> None:
    dm = await services.conversations.open_dm(alice, 'bob')
    group = await services.conversations.open_group(carol, ['bob', 'alice'])
    assert await services.conversations.display_name(alice, dm.id) == 'bob'
    assert await services.conversations.display_name(bob, dm.id) == 'alice'
    assert await services.conversations.display_name(bob, group.id) == 'alice, carol'
    assert [(c.title, c.room.kind) for c in await services.conversations.list_dms(alice)] == [
        ('bob', 'dm'), ('bob, carol', 'group')]
    assert [c.title for c in await services.conversations.list_dms(bob)] == ['alice', 'alice, carol']


async def test_direct_messages_never_show_in_room_lists(services: Services, alice: User, bob: User,
                                                        carol: User) -> None:
    await services.conversations.open_dm(alice, 'bob')
    await services.conversations.open_group(alice, ['bob', 'carol'])
    root = await services.store.get_user_by_name('root')
    assert root is not None and root.is_admin
    assert [r.name for r in await services.rooms.list_joined(alice)] == ['general']
    assert [r.name for r, _ in await services.rooms.browse(alice)] == ['general']
    assert [r.name for r in await services.rooms.all_rooms(root)] == ['general']
    assert (await services.rooms.default_room(alice)).name == 'general'


async def test_outsiders_and_the_administrator_cannot_tell_a_dm_exists(
        services: Services, alice: User, bob: User, carol: User) -> None:
    dm = await services.conversations.open_dm(alice, 'bob')
    root = await services.store.get_user_by_name('root')
    assert root is not None
    for viewer in (carol, root):
        for call in (services.messages.latest(viewer, dm.id), services.messages.post(viewer, dm.id, 'hi', 'c1'),
                     services.conversations.display_name(viewer, dm.id), services.rooms.join(viewer, dm.id)):
            with pytest.raises(NotFound, match=r'^That room does not exist$'):
                await call


async def test_bad_direct_messages_are_refused(services: Services, alice: User, bob: User) -> None:
    with pytest.raises(ValidationError, match='someone other than yourself'):
        await services.conversations.open_dm(alice, 'ALICE')
    with pytest.raises(NotFound, match=r'^No such user: nobody$'):
        await services.conversations.open_dm(alice, 'nobody')
    with pytest.raises(ValidationError, match='3 to 8 people'):
        await services.conversations.open_group(alice, ['bob'])
    with pytest.raises(ValidationError, match='3 to 8 people'):
        await services.conversations.open_group(alice, ['bob', 'bob', 'alice'])  # still only two people
    with pytest.raises(ValidationError, match='as a list'):
        await services.conversations.open_group(alice, 'bob,carol')
    assert await services.conversations.list_dms(alice) == []


async def test_a_group_has_at_most_eight_people(services: Services, alice: User, bob: User) -> None:
    names = [f'user{i}' for i in range(8)]
    for name in names:
        await services.accounts.sign_up(name, 'password-x')
    with pytest.raises(ValidationError, match='3 to 8 people'):
        await services.conversations.open_group(alice, names)  # nine with alice
    group = await services.conversations.open_group(alice, names[:7])
    assert group.member_count == 8
    with pytest.raises(ValidationError, match='at most 8 people'):
        await services.membership.invite(alice, group.id, 'bob')


async def test_people_added_to_a_group_see_its_history_and_members_may_leave(
        services: Services, alice: User, bob: User, carol: User, dave: User, recorder: Recorder) -> None:
    group = await services.conversations.open_group(alice, ['bob', 'carol'])
    await services.messages.post(alice, group.id, 'before dave', 'c1')
    recorder.clear()
    await services.membership.invite(bob, group.id, 'dave')  # any participant may add someone
    assert [m.body for m in await services.messages.latest(dave, group.id)] == ['before dave', 'bob added dave']
    assert recorder.of(MembershipChanged) == [MembershipChanged(group.id, dave.id, 'dave', True, 4)]
    await services.rooms.leave(carol, group.id)
    assert await services.conversations.display_name(alice, group.id) == 'bob, dave'
    assert (await services.messages.latest(alice, group.id))[-1].body == 'carol left'
    with pytest.raises(NotFound):
        await services.messages.latest(carol, group.id)  # gone with her membership


async def test_a_one_to_one_cannot_be_left_or_grown(services: Services, alice: User, bob: User,
                                                    recorder: Recorder) -> None:
    dm = await services.conversations.open_dm(alice, 'bob')
    recorder.clear()
    with pytest.raises(Forbidden, match='You cannot leave a direct message'):
        await services.rooms.leave(alice, dm.id)
    with pytest.raises(Forbidden, match='Start a group conversation'):
        await services.membership.invite(alice, dm.id, 'root')
    assert recorder.of(MessagePosted) == [] and len(await services.rooms.members(bob, dm.id)) == 2
