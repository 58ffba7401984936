"""Reactions: a click adds mine or takes it back; everyone in the room hears each change once."""
import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, RateLimited, ValidationError
from services.events import ReactionChanged
from services.models import Reaction, User
from services.reactions import MAX_DISTINCT

from .conftest import FakeClock, Recorder

THUMBS = '\U0001F44D'
HEART = '\u2764\ufe0f'


async def _room_with_message(services: Services, alice: User, bob: User) -> tuple[int, int, int]:
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    message = await services.messages.post(alice, room.id, 'lunch?', 'c1')
    return room.id, message.seq, message.id


async def test_a_click_adds_mine_a_second_takes_it_back_and_everyone_hears_each(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room_id, seq, message_id = await _room_with_message(services, alice, bob)
    recorder.clear()

    assert await services.reactions.toggle(bob, room_id, seq, THUMBS) is True
    assert await services.reactions.toggle(alice, room_id, seq, THUMBS) is True
    assert await services.reactions.toggle(alice, room_id, seq, HEART) is True
    shown = (await services.messages.latest(alice, room_id))[-1]
    assert shown.reactions == (Reaction(THUMBS, 2, (bob.id, alice.id), ('bob', 'alice')),
                               Reaction(HEART, 1, (alice.id,), ('alice',)))

    assert await services.reactions.toggle(bob, room_id, seq, THUMBS) is False
    shown = (await services.messages.latest(bob, room_id))[-1]
    assert shown.reactions[0] == Reaction(THUMBS, 1, (alice.id,), ('alice',))
    assert recorder.of(ReactionChanged) == [
        ReactionChanged(room_id, seq, message_id, THUMBS, bob.id, 'bob', True),
        ReactionChanged(room_id, seq, message_id, THUMBS, alice.id, 'alice', True),
        ReactionChanged(room_id, seq, message_id, HEART, alice.id, 'alice', True),
        ReactionChanged(room_id, seq, message_id, THUMBS, bob.id, 'bob', False),
    ]
    assert ReactionChanged(room_id, seq, message_id, THUMBS, bob.id, 'bob', True).topic == f'room:{room_id}'


async def test_asking_for_what_is_already_so_changes_and_publishes_nothing(
        services: Services, alice: User, bob: User, recorder: Recorder, clock: FakeClock) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    await services.reactions.set(bob, room_id, seq, THUMBS, True)
    recorder.clear()
    for _ in range(100):  # racing clicks of one state: free, silent (more than the limit's burst)
        assert await services.reactions.set(bob, room_id, seq, THUMBS, True) is True
        assert await services.reactions.set(alice, room_id, seq, HEART, False) is False
    assert recorder.events == []
    assert [r.count for r in (await services.messages.latest(bob, room_id))[-1].reactions] == [1]


@pytest.mark.parametrize('raw', ['a', ':thumbs_up:', THUMBS * 2, f'{THUMBS} ', '', '\u2764', '\U0001F3FB',
                                 'x' * 10_000, 42, None, ['\U0001F44D']])
async def test_only_a_single_known_emoji_is_accepted(
        services: Services, alice: User, bob: User, recorder: Recorder, raw: object) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    recorder.clear()
    with pytest.raises(ValidationError, match=r'^That is not an emoji$'):
        await services.reactions.toggle(bob, room_id, seq, raw)  # type: ignore[arg-type]
    assert (await services.messages.latest(bob, room_id))[-1].reactions == ()
    assert recorder.events == []


async def test_skin_tones_and_sequences_are_emoji_too(services: Services, alice: User, bob: User) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    for emoji in ('\U0001F44D\U0001F3FD', '\U0001F468\u200D\U0001F469\u200D\U0001F467', '\U0001F1EB\U0001F1F7'):
        assert await services.reactions.toggle(bob, room_id, seq, emoji) is True
    assert len((await services.messages.latest(bob, room_id))[-1].reactions) == 3


async def test_at_most_twenty_different_emoji_under_a_message(
        services: Services, alice: User, bob: User, clock: FakeClock) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    faces = [chr(0x1F600 + i) for i in range(MAX_DISTINCT + 1)]
    for face in faces[:MAX_DISTINCT]:
        clock.advance(1.0)
        await services.reactions.toggle(alice, room_id, seq, face)
    with pytest.raises(ValidationError, match=rf'^A message can have at most {MAX_DISTINCT} different reactions$'):
        await services.reactions.toggle(bob, room_id, seq, faces[-1])
    await services.reactions.toggle(bob, room_id, seq, faces[0])  # one already there: fine
    reactions = (await services.messages.latest(bob, room_id))[-1].reactions
    assert len(reactions) == MAX_DISTINCT and reactions[0].count == 2


async def test_notices_and_deleted_messages_take_no_reactions_and_deleting_removes_them(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    await services.reactions.toggle(bob, room_id, seq, THUMBS)
    notice = next(m for m in await services.messages.latest(bob, room_id) if m.kind == 'join')
    with pytest.raises(Forbidden, match=r'^Notices cannot be reacted to$'):
        await services.reactions.toggle(bob, room_id, notice.seq, THUMBS)
    await services.messages.delete(alice, room_id, seq)
    assert (await services.messages.latest(bob, room_id))[-1].reactions == ()
    assert await services.reactions.between(bob, room_id, 1, seq) == {}
    recorder.clear()
    with pytest.raises(Forbidden, match=r'^That message was deleted$'):
        await services.reactions.toggle(bob, room_id, seq, THUMBS)
    with pytest.raises(NotFound, match=r'^No such message$'):
        await services.reactions.toggle(bob, room_id, 999, THUMBS)
    assert recorder.events == []


async def test_only_members_who_may_post_may_react_and_a_refusal_changes_nothing(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'secret', private=True)
    message = await services.messages.post(alice, room.id, 'hush', 'c1')
    public = await services.rooms.default_room(alice)
    said = await services.messages.post(alice, public.id, 'hello', 'c2')
    await services.rooms.leave(bob, public.id)
    recorder.clear()
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        await services.reactions.toggle(bob, room.id, message.seq, THUMBS)
    with pytest.raises(Forbidden, match=r'^You are not a member of this room$'):
        await services.reactions.toggle(bob, public.id, said.seq, THUMBS)
    assert recorder.events == []
    assert (await services.messages.latest(alice, room.id))[-1].reactions == ()


async def test_reactions_have_their_own_per_user_limit(
        services: Services, alice: User, bob: User, clock: FakeClock) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    limits = services.settings.limits
    for _ in range(limits.react_burst):
        await services.reactions.toggle(bob, room_id, seq, THUMBS)
    with pytest.raises(RateLimited, match=r'^Slow down'):
        await services.reactions.toggle(bob, room_id, seq, THUMBS)
    await services.messages.post(bob, room_id, 'still talking', 'b1')  # messages count apart
    await services.reactions.toggle(alice, room_id, seq, THUMBS)  # and every person apart
    clock.advance(limits.react_every)
    await services.reactions.toggle(bob, room_id, seq, THUMBS)


async def test_a_page_back_from_away_reads_the_reactions_of_what_it_shows(
        services: Services, alice: User, bob: User) -> None:
    room_id, seq, _ = await _room_with_message(services, alice, bob)
    other = await services.messages.post(bob, room_id, 'yes', 'b1')
    await services.reactions.toggle(alice, room_id, other.seq, HEART)
    await services.reactions.toggle(bob, room_id, seq, THUMBS)
    await services.reactions.toggle(bob, room_id, seq, THUMBS)  # taken back: left out
    assert await services.reactions.between(bob, room_id, 1, other.seq) == {
        other.seq: (Reaction(HEART, 1, (alice.id,), ('alice',)),)}
    with pytest.raises(NotFound):
        await services.reactions.between(bob, room_id + 100, 1, 5)
