import pytest

from services.bootstrap import Services
from services.errors import Conflict, Forbidden, NotFound, ValidationError
from services.events import MembershipChanged, MessagePosted, RoomUpdated
from services.models import User

from .conftest import Recorder


async def test_creator_is_the_first_member(services: Services, alice: User) -> None:
    room = await services.rooms.create_room(alice, 'Dev', 'Builds and bugs')
    assert (room.name, room.topic, room.created_by, room.member_count) == ('dev', 'Builds and bugs', alice.id, 1)
    assert [r.name for r in await services.rooms.list_joined(alice)] == ['dev', 'general']
    assert await services.rooms.members(alice, room.id) == [alice]


async def test_room_names_are_unique_case_insensitively(services: Services, alice: User) -> None:
    await services.rooms.create_room(alice, 'dev')
    with pytest.raises(Conflict, match=r'^A room with that name exists$'):
        await services.rooms.create_room(alice, ' DEV ')


async def test_bad_room_name_or_topic(services: Services, alice: User) -> None:
    with pytest.raises(ValidationError):
        await services.rooms.create_room(alice, 'a b')
    with pytest.raises(ValidationError):
        await services.rooms.create_room(alice, 'ok-name', 'x\u202e')


async def test_join_and_leave_post_notices_then_events(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    recorder.clear()
    joined = await services.rooms.join(bob, room.id)
    assert joined.member_count == 2
    await services.rooms.leave(bob, room.id)
    join_notice, leave_notice = await services.messages.latest(alice, room.id)
    assert (join_notice.seq, join_notice.body, leave_notice.seq, leave_notice.body) == (
        1, 'bob joined', 2, 'bob left')
    assert recorder.events == [
        MessagePosted(join_notice), MembershipChanged(room.id, bob.id, 'bob', True, 2),
        MessagePosted(leave_notice), MembershipChanged(room.id, bob.id, 'bob', False, 1),
    ]


async def test_joining_twice_or_leaving_twice_is_silent(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    await services.rooms.leave(bob, room.id)
    recorder.clear()
    await services.rooms.leave(bob, room.id)
    await services.rooms.join(alice, room.id)
    assert recorder.events == []
    assert len(await services.messages.latest(alice, room.id)) == 2


async def test_non_members_cannot_look_inside(services: Services, alice: User, bob: User) -> None:
    room = await services.rooms.create_room(alice, 'secret')
    for call in (services.rooms.get_room(bob, room.id), services.rooms.members(bob, room.id),
                 services.rooms.set_topic(bob, room.id, 'mine now')):
        with pytest.raises(Forbidden, match=r'^You are not a member of this room$'):
            await call
    with pytest.raises(NotFound):
        await services.rooms.get_room(bob, 12345)
    with pytest.raises(NotFound):
        await services.rooms.join(bob, 12345)


async def test_browse_marks_joined_rooms_and_filters(services: Services, alice: User, bob: User) -> None:
    await services.rooms.create_room(alice, 'dev-ops')
    await services.rooms.create_room(bob, 'random')
    listed = await services.rooms.browse(alice)
    assert [(r.name, joined) for r, joined in listed] == [('dev-ops', True), ('general', True), ('random', False)]
    assert [r.name for r, _ in await services.rooms.browse(alice, ' OPS ')] == ['dev-ops']
    assert [r.name for r, _ in await services.rooms.browse(alice, '%')] == []
    assert [r.name for r, _ in await services.rooms.browse(alice, limit=1, offset=1)] == ['general']


async def test_set_topic_publishes_room_updated(services: Services, alice: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'dev')
    recorder.clear()
    updated = await services.rooms.set_topic(alice, room.id, '  Sprint 12 ')
    assert updated.topic == 'Sprint 12'
    assert (await services.rooms.get_room(alice, room.id)).topic == 'Sprint 12'
    assert recorder.events == [RoomUpdated(updated)]


async def test_default_room_is_general_or_first_joined(services: Services, alice: User) -> None:
    general = await services.rooms.default_room(alice)
    assert general.name == 'general'
    await services.rooms.create_room(alice, 'zeta')
    await services.rooms.leave(alice, general.id)
    assert (await services.rooms.default_room(alice)).name == 'zeta'
