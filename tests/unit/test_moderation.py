"""Private rooms, invitations, roles and moderation: what the people of a room see happen."""
import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, ValidationError
from services.events import MemberRemoved, MembershipChanged, MessageDeleted, MessagePosted, RoleChanged, RoomCreated
from services.models import User

from .conftest import Recorder


@pytest.fixture
async def carol(services: Services) -> User:
    return await services.accounts.sign_up('carol', 'password-c')


@pytest.fixture
async def root(services: Services) -> User:
    user = await services.store.get_user_by_name('root')  # the unit fixtures' first account
    assert user is not None and user.is_admin
    return user


async def test_the_first_account_of_a_site_is_its_administrator(services: Services, alice: User) -> None:
    assert not alice.is_admin  # root came first (tests/unit/conftest.py)
    with pytest.raises(Forbidden, match='Only the administrator'):
        await services.rooms.all_rooms(alice)


async def test_a_private_room_reaches_its_members_only(
        services: Services, alice: User, bob: User, root: User, recorder: Recorder) -> None:
    recorder.clear()
    room = await services.rooms.create_room(alice, 'plans', 'Q3', private=True)
    assert room.kind == 'private'
    assert recorder.events == [RoomCreated(room, alice.id)]  # to alice's pages (topic user:<alice>) alone
    assert recorder.events[0].topic == f'user:{alice.id}'
    assert 'plans' in [r.name for r, _ in await services.rooms.browse(alice)]
    assert 'plans' not in [r.name for r, _ in await services.rooms.browse(bob, 'plans')]
    assert [r.name for r in await services.rooms.all_rooms(root, 'pla')] == ['plans']
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        await services.rooms.join(bob, room.id)


async def test_an_invitation_adds_at_once_and_tells_the_invitee_pages(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'plans', private=True)
    await services.messages.post(alice, room.id, 'the plan', 'c1')
    recorder.clear()
    assert await services.membership.invite(alice, room.id, 'BOB') == bob
    notice = (await services.messages.latest(bob, room.id))[-1]
    assert (notice.body, notice.kind, notice.author_id) == ('alice added bob', 'join', bob.id)
    assert recorder.events == [MessagePosted(notice), MembershipChanged(room.id, bob.id, 'bob', True, 2)]
    assert [r.name for r in await services.rooms.list_joined(bob)] == ['general', 'plans']  # the bridge's reload
    recorder.clear()
    await services.membership.invite(alice, room.id, 'bob')  # again: nothing happens
    assert recorder.events == []
    with pytest.raises(NotFound, match=r'^No such user$'):
        await services.membership.invite(alice, room.id, 'nobody')


async def test_the_owner_names_and_demotes_moderators(
        services: Services, alice: User, bob: User, carol: User, root: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    await services.rooms.join(carol, room.id)
    recorder.clear()
    await services.membership.set_role(alice, room.id, 'bob', 'moderator')
    assert recorder.events == [RoleChanged(room.id, bob.id, 'bob', 'moderator')]
    assert [(m.user.username, m.role) for m in await services.rooms.roster(carol, room.id)] == [
        ('alice', 'owner'), ('bob', 'moderator'), ('carol', 'member')]
    with pytest.raises(Forbidden, match='Only the owner can name moderators'):
        await services.membership.set_role(bob, room.id, 'carol', 'moderator')
    with pytest.raises(ValidationError, match='moderator or member'):
        await services.membership.set_role(alice, room.id, 'bob', 'owner')
    with pytest.raises(Forbidden, match='cannot do that to yourself'):
        await services.membership.set_role(alice, room.id, 'alice', 'member')
    with pytest.raises(Forbidden, match="owner cannot be removed, banned or given another role"):
        await services.membership.set_role(root, room.id, 'alice', 'member')  # not even by the administrator
    with pytest.raises(NotFound, match='not a member'):
        await services.membership.set_role(alice, room.id, 'root', 'moderator')
    await services.membership.set_role(alice, room.id, 'bob', 'member')
    assert (await services.rooms.roster(alice, room.id))[1].role == 'member'


async def test_removing_posts_a_notice_and_a_public_room_can_be_joined_again(
        services: Services, alice: User, bob: User, carol: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    for user in (bob, carol):
        await services.rooms.join(user, room.id)
    await services.membership.set_role(alice, room.id, 'bob', 'moderator')
    with pytest.raises(Forbidden, match='Leave the room instead'):
        await services.membership.remove(bob, room.id, 'bob')
    with pytest.raises(Forbidden, match='owner cannot be removed'):
        await services.membership.remove(bob, room.id, 'alice')
    recorder.clear()
    await services.membership.remove(bob, room.id, 'carol')
    notice = (await services.messages.latest(alice, room.id))[-1]
    assert (notice.body, notice.kind) == ('bob removed carol', 'leave')
    assert recorder.events == [MessagePosted(notice), MembershipChanged(room.id, carol.id, 'carol', False, 2),
                               MemberRemoved(room.id, carol.id, 'bob', banned=False)]  # carol's pages say why
    await services.rooms.join(carol, room.id)  # a public room: the removed may come back
    await services.membership.set_role(alice, room.id, 'carol', 'moderator')
    with pytest.raises(Forbidden, match='Only the owner can remove or ban a moderator'):
        await services.membership.remove(bob, room.id, 'carol')
    await services.membership.remove(alice, room.id, 'carol')  # the owner can
    assert [u.username for u in await services.rooms.members(alice, room.id)] == ['alice', 'bob']


async def test_a_ban_removes_and_keeps_out_until_lifted(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    recorder.clear()
    await services.membership.ban(alice, room.id, 'bob')
    notice = (await services.messages.latest(alice, room.id))[-1]
    assert (notice.body, notice.kind) == ('alice banned bob', 'leave')
    assert recorder.of(MembershipChanged) == [MembershipChanged(room.id, bob.id, 'bob', False, 1)]
    assert recorder.of(MemberRemoved) == [MemberRemoved(room.id, bob.id, 'alice', banned=True)]
    with pytest.raises(Forbidden, match=r'^You are banned from this room$'):
        await services.rooms.join(bob, room.id)
    with pytest.raises(Forbidden, match='They are banned from this room'):
        await services.membership.invite(alice, room.id, 'bob')
    assert await services.membership.banned(alice, room.id) == [bob]
    await services.membership.unban(alice, room.id, 'bob')
    await services.rooms.join(bob, room.id)
    assert await services.rooms.members(alice, room.id) == [alice, bob]


async def test_a_moderator_deletes_a_message_for_everyone(
        services: Services, alice: User, bob: User, carol: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    await services.rooms.join(carol, room.id)
    await services.membership.set_role(alice, room.id, 'carol', 'moderator')
    message = await services.messages.post(bob, room.id, 'something **rude**', 'c1')
    recorder.clear()
    deleted = await services.messages.delete(carol, room.id, message.seq)
    assert (deleted.deleted, deleted.body, deleted.html, deleted.seq) == (True, '', '', message.seq)
    assert recorder.events == [MessageDeleted(room.id, message.seq, message.id, carol.id)]
    seen = [m for m in await services.messages.latest(alice, room.id) if m.seq == message.seq]
    assert seen == [deleted]  # the body is gone from the store: every reader gets "message deleted"
    recorder.clear()
    await services.messages.delete(alice, room.id, message.seq)  # again: nothing new
    assert recorder.events == []


async def test_authors_delete_their_own_and_members_nobody_elses(
        services: Services, alice: User, bob: User) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    mine = await services.messages.post(bob, room.id, 'typo', 'c1')
    theirs = await services.messages.post(alice, room.id, 'keep', 'c2')
    assert (await services.messages.delete(bob, room.id, mine.seq)).deleted
    with pytest.raises(Forbidden, match='Only the owner or a moderator'):
        await services.messages.delete(bob, room.id, theirs.seq)
    with pytest.raises(Forbidden, match='Notices cannot be deleted'):
        await services.messages.delete(alice, room.id, 1)  # 'bob joined'
    with pytest.raises(NotFound, match='No such message'):
        await services.messages.delete(alice, room.id, 99)
    assert (await services.messages.latest(bob, room.id))[-1].body == 'keep'


async def test_the_administrator_moderates_any_room_without_joining(
        services: Services, alice: User, bob: User, root: User) -> None:
    room = await services.rooms.create_room(alice, 'plans', private=True)
    await services.membership.invite(alice, room.id, 'bob')
    await services.membership.set_role(alice, room.id, 'bob', 'moderator')
    general = await services.rooms.default_room(bob)
    assert (await services.rooms.set_topic(root, general.id, 'All hands')).topic == 'All hands'  # a system room
    await services.membership.remove(root, room.id, 'bob')  # a moderator, and root is not a member
    assert [m.user.username for m in await services.rooms.roster(root, room.id)] == ['alice']
    with pytest.raises(Forbidden, match='not a member'):
        await services.messages.post(root, room.id, 'hello', 'c1')
