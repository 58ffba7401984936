"""What a page asks the services to decide which controls to show: the viewer's abilities in a room, what they
may do to one member, and the names the "People" field suggests. All of it comes from services/policy.py."""
import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, ValidationError
from services.events import MemberRemoved
from services.models import User

from .conftest import Recorder


@pytest.fixture
async def carol(services: Services) -> User:
    return await services.accounts.sign_up('carol', 'password-c')


@pytest.fixture
async def root(services: Services) -> User:
    user = await services.store.get_user_by_name('root')  # the unit fixtures' first account: the administrator
    assert user is not None and user.is_admin
    return user


async def test_abilities_follow_the_role_and_the_kind(
        services: Services, alice: User, bob: User, carol: User, root: User) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    owner, member = await services.rooms.abilities(alice, room.id), await services.rooms.abilities(bob, room.id)
    assert {'set_topic', 'invite', 'remove', 'ban', 'unban', 'set_role', 'delete_other', 'leave'} <= owner
    assert {'invite', 'leave', 'delete_own', 'post'} <= member
    assert not {'set_topic', 'remove', 'ban', 'unban', 'set_role', 'delete_other'} & member
    await services.membership.set_role(alice, room.id, 'bob', 'moderator')
    assert {'set_topic', 'remove', 'delete_other'} <= await services.rooms.abilities(bob, room.id)
    assert 'join' not in owner  # what would change nothing is not offered
    admin = await services.rooms.abilities(root, room.id)
    assert {'set_topic', 'join'} <= admin  # moderates without being a member
    assert not {'post', 'leave'} & admin

    dm = await services.conversations.open_dm(alice, 'bob')
    assert not {'leave', 'invite', 'set_topic'} & await services.rooms.abilities(alice, dm.id)
    group = await services.conversations.open_group(alice, ['bob', 'carol'])
    assert {'leave', 'invite'} <= await services.rooms.abilities(carol, group.id)
    with pytest.raises(NotFound, match=r'^That room does not exist$'):  # an outsider learns nothing
        await services.rooms.abilities(carol, dm.id)


async def test_what_one_may_do_to_a_member(services: Services, alice: User, bob: User, carol: User,
                                           root: User) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    for user in (bob, carol):
        await services.rooms.join(user, room.id)
    assert await services.membership.actions_on(alice, room.id, 'bob') == ['make_moderator', 'remove', 'ban']
    assert await services.membership.actions_on(alice, room.id, 'alice') == []  # never oneself
    assert await services.membership.actions_on(bob, room.id, 'carol') == []  # a plain member moderates nobody
    await services.membership.set_role(alice, room.id, 'bob', 'moderator')
    assert await services.membership.actions_on(alice, room.id, 'bob') == ['make_member', 'remove', 'ban']
    assert await services.membership.actions_on(bob, room.id, 'carol') == ['remove', 'ban']
    assert await services.membership.actions_on(bob, room.id, 'alice') == []  # nobody touches the owner
    assert await services.membership.actions_on(root, room.id, 'bob') == ['make_member', 'remove', 'ban']
    assert await services.membership.actions_on(alice, room.id, 'root') == []  # not a member
    dm = await services.conversations.open_dm(alice, 'bob')
    assert await services.membership.actions_on(alice, dm.id, 'bob') == []  # nobody moderates a DM
    with pytest.raises(NotFound, match='No such user'):
        await services.membership.actions_on(alice, room.id, 'nobody')


async def test_a_removed_member_is_told_who_removed_them_after_the_change(
        services: Services, alice: User, bob: User, carol: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    recorder.clear()
    await services.membership.remove(alice, room.id, 'bob')
    assert recorder.events[-1] == MemberRemoved(room.id, bob.id, 'alice', banned=False)
    assert recorder.events[-1].topic == f'user:{bob.id}'  # to bob's pages only
    recorder.clear()
    await services.membership.remove(alice, room.id, 'bob')  # not a member any more: nothing happens
    await services.membership.ban(alice, room.id, 'carol')  # banned ahead, never a member: nobody to tell
    assert recorder.of(MemberRemoved) == []


async def test_the_people_field_suggests_other_usernames(services: Services, alice: User, bob: User,
                                                         carol: User) -> None:
    await services.accounts.sign_up('bobby', 'password-b')
    assert await services.conversations.people(alice, 'BO') == ['bob', 'bobby']
    assert await services.conversations.people(alice, 'bo', limit=1) == ['bob']
    assert await services.conversations.people(bob, 'bob') == ['bobby']  # never oneself
    assert await services.conversations.people(alice, '') == []
    assert await services.conversations.people(alice, 'b%') == []  # cannot start a username
    assert await services.conversations.people(alice, 'x' * 40) == []
    with pytest.raises(ValidationError):
        await services.conversations.people(alice, None)  # type: ignore[arg-type]


async def test_a_page_back_from_away_learns_which_messages_it_shows_were_deleted(
        services: Services, alice: User, bob: User, carol: User) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    posted = [await services.messages.post(bob, room.id, f'm{n}', f'c{n}') for n in range(3)]
    await services.messages.delete(bob, room.id, posted[1].seq)
    assert await services.messages.deleted_between(alice, room.id, posted[0].seq, posted[2].seq) == [posted[1].seq]
    assert await services.messages.deleted_between(alice, room.id, posted[2].seq, posted[2].seq) == []
    with pytest.raises(ValidationError):
        await services.messages.deleted_between(alice, room.id, -1, 5)
    with pytest.raises(Forbidden):  # carol is no member of this public room: she reads nothing of it
        await services.messages.deleted_between(carol, room.id, 1, 5)
