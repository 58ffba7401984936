"""Mentions: which names a text mentions, the @room rule, the spans they render as, and what gets notified."""
import pytest

from services import formatting, mentions
from services.bootstrap import Services
from services.errors import Forbidden, NotFound, ValidationError
from services.events import MessageEdited, MessagePosted
from services.models import Room, User

from .conftest import Recorder


@pytest.fixture
async def carol(services: Services) -> User:
    return await services.accounts.sign_up('carol', 'password-c')


@pytest.fixture
async def room(services: Services, alice: User, bob: User) -> Room:
    room = await services.rooms.create_room(alice, 'dev')
    await services.rooms.join(bob, room.id)
    return room


def test_candidates_are_names_after_an_at_outside_code() -> None:
    assert mentions.candidates('hi @Alice and @bob.') == {'alice', 'bob.', 'bob'}
    assert mentions.candidates('mail me at bob@example.com or @@carol') == set()
    assert mentions.candidates('`@alice` and\n```\n@bob\n```\n~~~\n@carol\n~~~') == set()
    assert mentions.candidates('@room please, @me') == {'room'}  # '@me': too short to be a username
    assert mentions.candidates('@' + 'a' * 33) == set()
    assert len(mentions.candidates(' '.join(f'@user{i:03}' for i in range(500)))) <= mentions.MAX_CANDIDATES


def test_mentions_render_as_spans_and_nothing_else_does() -> None:
    html = formatting.render_markdown('hi @alice, @room and @nobody', frozenset({'alice', 'room'}))
    assert html == ('<p>hi <span class="mention" data-testid="mention" data-user="alice">@alice</span>, '
                    '<span class="mention mention-all" data-testid="mention" data-user="room">@room</span> '
                    'and @nobody</p>')
    code = formatting.render_markdown('`@alice`\n\n```\n@alice\n```\n\n[@alice](https://example.com)',
                                      frozenset({'alice'}))
    assert 'data-testid' not in code and '@alice' in code
    typed = formatting.render_markdown('<span class="mention" data-testid="mention" data-user="bob">@bob</span>',
                                       frozenset({'alice'}))
    assert '<span' not in typed and '&lt;span class="mention"' in typed
    assert formatting.render_markdown('**@alice**.', frozenset({'alice'})) == (
        '<p><strong><span class="mention" data-testid="mention" data-user="alice">@alice</span></strong>.</p>')
    assert formatting.render_markdown('hi @alice') == '<p>hi @alice</p>'  # nothing resolved: plain text


def test_the_allow_list_keeps_only_mention_spans() -> None:
    assert formatting._attribute('span', 'class', 'evil') is None
    assert formatting._attribute('span', 'data-user', 'x" onclick="y') is None
    assert formatting._attribute('span', 'data-user', 'alice') == 'alice'
    assert formatting._attribute('a', 'href', 'https://x') == 'https://x'


async def test_long_texts_render_mentions_in_the_worker(services: Services, alice: User, bob: User,
                                                        room: Room) -> None:
    body = '@bob ' + 'word ' * 100
    message = await services.messages.post(alice, room.id, body, 'long')
    assert message.html == formatting.render_markdown(body, frozenset({'bob'}))
    assert 'data-user="bob"' in message.html
    services.messages.close()


async def test_a_mention_notifies_members_and_counts_until_read(
        services: Services, alice: User, bob: User, carol: User, room: Room, recorder: Recorder) -> None:
    recorder.clear()
    message = await services.messages.post(alice, room.id, '@bob @carol @alice `@bob` look', 'm1')
    assert recorder.of(MessagePosted) == [MessagePosted(message, (bob.id,))]  # carol is no member, alice is herself
    assert message.html.count('data-testid="mention"') == 2  # bob, alice; carol stays text
    state = await services.reads.state(bob, room.id)
    assert state is not None and (state.unread, state.mentions) == (1, 1)
    await services.reads.mark_read(bob, room.id, message.seq)
    state = await services.reads.state(bob, room.id)
    assert state is not None and (state.unread, state.mentions) == (0, 0)
    plain = await services.messages.post(alice, room.id, 'no names here', 'm2')
    assert recorder.of(MessagePosted)[-1] == MessagePosted(plain)


async def test_at_room_notifies_everyone_but_the_author(services: Services, alice: User, bob: User, carol: User,
                                                       room: Room, recorder: Recorder) -> None:
    await services.rooms.join(carol, room.id)
    recorder.clear()
    message = await services.messages.post(bob, room.id, 'standup @room', 'r1')
    assert recorder.of(MessagePosted) == [MessagePosted(message, (alice.id, carol.id))]
    assert 'mention mention-all' in message.html
    for user in (alice, carol):
        state = await services.reads.state(user, room.id)
        assert state is not None and state.mentions == 1
    dm_group = await services.conversations.open_group(alice, ['bob', 'carol'])
    posted = await services.messages.post(carol, dm_group.id, '@room hi', 'g1')
    assert recorder.of(MessagePosted)[-1] == MessagePosted(posted, (alice.id, bob.id))


async def _big_room(services: Services, alice: User, bob: User) -> Room:
    room = await services.rooms.create_room(alice, 'big')
    async with services.store.unit() as uow:
        await uow.add_member(room.id, bob.id)
        for i in range(19):
            user = await services.store.create_user(f'user{i:02}', 'h')
            await uow.add_member(room.id, user.id)
    return room


async def test_at_room_in_a_room_of_more_than_twenty_is_for_owners_and_moderators(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await _big_room(services, alice, bob)
    assert (await services.rooms.get_room(alice, room.id)).member_count == 21
    recorder.clear()
    with pytest.raises(Forbidden, match=r'^Only owners and moderators can notify everyone with @room in a room of '
                                        r'more than 20 members$'):
        await services.messages.post(bob, room.id, 'hey @room', 'r1')
    assert await services.messages.latest(bob, room.id) == [] and recorder.events == []  # nothing posted
    await services.messages.post(bob, room.id, 'hey @alice', 'r2')
    await services.membership.set_role(alice, room.id, 'bob', 'moderator')
    recorder.clear()
    message = await services.messages.post(bob, room.id, 'hey @room', 'r3')
    assert len(recorder.of(MessagePosted)[0].mentions) == 20 and bob.id not in recorder.of(MessagePosted)[0].mentions
    assert 'mention-all' in message.html
    owner = await services.messages.post(alice, room.id, '@room owner here', 'r4')
    assert 'mention-all' in owner.html


async def test_an_edit_renders_mentions_but_notifies_nobody(
        services: Services, alice: User, bob: User, room: Room, recorder: Recorder) -> None:
    message = await services.messages.post(alice, room.id, 'hello', 'e1')
    recorder.clear()
    edited = await services.messages.edit(alice, room.id, message.seq, 'hello @bob')
    assert 'data-user="bob"' in edited.html
    assert [type(e) for e in recorder.events] == [MessageEdited]
    state = await services.reads.state(bob, room.id)
    assert state is not None and state.mentions == 0


async def test_an_edit_past_the_room_rule_keeps_at_room_as_text(services: Services, alice: User,
                                                                bob: User) -> None:
    room = await _big_room(services, alice, bob)
    message = await services.messages.post(bob, room.id, 'hello', 'e1')
    edited = await services.messages.edit(bob, room.id, message.seq, 'hello @room')
    assert 'mention' not in edited.html and '@room' in edited.html


async def test_room_is_a_reserved_username(services: Services) -> None:
    with pytest.raises(ValidationError, match='reserved'):
        await services.accounts.sign_up('room', 'password-r')
    with pytest.raises(ValidationError, match='reserved'):
        await services.accounts.sign_up(' ROOM ', 'password-r')
    assert await services.store.get_user_by_name('room') is None
    assert (await services.accounts.sign_up('roomy', 'password-r')).username == 'roomy'


async def test_outsiders_mentioning_change_nothing(services: Services, alice: User, carol: User,
                                                   recorder: Recorder) -> None:
    secret = await services.rooms.create_room(alice, 'secret', private=True)
    recorder.clear()
    for body in ('@room hi', '@alice hi'):
        with pytest.raises(NotFound, match=r'^That room does not exist$'):
            await services.messages.post(carol, secret.id, body, 'x')
    assert recorder.events == [] and await services.messages.latest(alice, secret.id) == []
