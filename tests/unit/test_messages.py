import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, ValidationError
from services.events import Event, MessagePosted, TypingChanged
from services.models import Message, Room, User

from .conftest import FakeClock, Recorder


@pytest.fixture
async def room(services: Services, alice: User) -> Room:
    return await services.rooms.create_room(alice, 'dev')


async def test_post_stores_renders_and_publishes(
        services: Services, alice: User, room: Room, recorder: Recorder) -> None:
    message = await services.messages.post(alice, room.id, '**hi** <b>there</b>', 'c-1')
    assert (message.seq, message.author_name, message.body, message.kind) == (1, 'alice', '**hi** <b>there</b>', 'text')
    assert message.html == '<p><strong>hi</strong> &lt;b&gt;there&lt;/b&gt;</p>'
    assert await services.messages.latest(alice, room.id) == [message]
    assert recorder.events == [MessagePosted(message)]


async def test_event_arrives_only_after_the_message_is_readable(
        services: Services, alice: User, room: Room) -> None:
    seen: list[bool] = []

    async def reader(event: Event) -> None:
        if isinstance(event, MessagePosted):
            stored = await services.store.after(event.message.room_id, event.message.seq - 1, 1)
            seen.append(stored == [event.message])

    services.bus.subscribe(reader)
    await services.messages.post(alice, room.id, 'one', 'c-1')
    await services.messages.post(alice, room.id, 'two', 'c-2')
    assert seen == [True, True]


async def test_retry_with_same_client_id_stores_once_and_publishes_once(
        services: Services, alice: User, room: Room, recorder: Recorder) -> None:
    first = await services.messages.post(alice, room.id, 'hello', 'retry-me')
    again = await services.messages.post(alice, room.id, 'hello', 'retry-me')
    assert again == first
    assert await services.messages.latest(alice, room.id) == [first]
    assert recorder.of(MessagePosted) == [MessagePosted(first)]


async def test_same_client_id_from_two_people_is_two_messages(
        services: Services, alice: User, bob: User, room: Room) -> None:
    await services.rooms.join(bob, room.id)
    await services.messages.post(alice, room.id, 'a', 'same')
    await services.messages.post(bob, room.id, 'b', 'same')
    assert [m.body for m in await services.messages.latest(alice, room.id)] == ['bob joined', 'a', 'b']


async def test_non_member_cannot_post_or_read(services: Services, bob: User, room: Room, recorder: Recorder) -> None:
    recorder.clear()
    for call in (services.messages.post(bob, room.id, 'hi', 'c'), services.messages.latest(bob, room.id),
                 services.messages.before(bob, room.id, 5), services.messages.after(bob, room.id, 0)):
        with pytest.raises(Forbidden):
            await call
    with pytest.raises(NotFound):
        await services.messages.post(bob, 999, 'hi', 'c')
    assert recorder.events == []


@pytest.mark.parametrize(('body', 'client_id', 'match'), [
    ('   ', 'c', 'Message is empty'), ('x' * 4001, 'c', 'too long'), ('hi', 'bad id!', 'message id'),
])
async def test_invalid_posts_store_nothing(
        services: Services, alice: User, room: Room, body: str, client_id: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        await services.messages.post(alice, room.id, body, client_id)
    assert await services.messages.latest(alice, room.id) == []


async def test_history_pages(services: Services, alice: User, room: Room) -> None:
    for i in range(1, 11):
        await services.messages.post(alice, room.id, f'm{i}', f'c{i}')

    def seqs(messages: list) -> list[int]:  # type: ignore[type-arg]
        return [m.seq for m in messages]

    assert seqs(await services.messages.latest(alice, room.id, limit=3)) == [8, 9, 10]
    assert seqs(await services.messages.before(alice, room.id, 8, limit=3)) == [5, 6, 7]
    assert seqs(await services.messages.before(alice, room.id, 2)) == [1]
    assert seqs(await services.messages.after(alice, room.id, 7)) == [8, 9, 10]
    assert seqs(await services.messages.after(alice, room.id, 0, limit=2)) == [1, 2]
    assert seqs(await services.messages.latest(alice, room.id, limit=0)) == [10]  # clamped to at least 1
    with pytest.raises(ValidationError):
        await services.messages.before(alice, room.id, -1)
    with pytest.raises(ValidationError):
        await services.messages.after(alice, room.id, '3')  # type: ignore[arg-type]


async def test_sending_clears_the_typing_indicator(
        services: Services, alice: User, room: Room, recorder: Recorder) -> None:
    await services.typing.started(alice, room.id)
    message = await services.messages.post(alice, room.id, 'done typing', 'c-1')
    assert recorder.events == [
        TypingChanged(room.id, alice.id, 'alice', True), MessagePosted(message),
        TypingChanged(room.id, alice.id, 'alice', False),
    ]
    await services.messages.post(alice, room.id, 'again', 'c-2')
    assert len(recorder.of(TypingChanged)) == 2  # not typing any more: nothing to clear


async def test_around_opens_the_history_at_a_message(services: Services, alice: User, bob: User, room: Room,
                                                     clock: FakeClock) -> None:
    for n in range(1, 31):  # seq n is message n (the room has no notice: alice created it)
        await services.messages.post(alice, room.id, f'm{n}', f'c-{n}')
        clock.advance(5)  # within the message rate limit

    def seqs(messages: list[Message]) -> list[int]:
        return [m.seq for m in messages]

    assert seqs(await services.messages.around(alice, room.id, 15, 6)) == [12, 13, 14, 15, 16, 17]
    assert seqs(await services.messages.around(alice, room.id, 15, 1)) == [15]
    # near either end the page is filled from the other side; past the end it is the latest page
    assert seqs(await services.messages.around(alice, room.id, 2, 6)) == [1, 2, 3, 4, 5, 6]
    assert seqs(await services.messages.around(alice, room.id, 29, 6)) == [25, 26, 27, 28, 29, 30]
    assert seqs(await services.messages.around(alice, room.id, 999, 4)) == [27, 28, 29, 30]
    assert [m.body for m in await services.messages.around(alice, room.id, 15, 3)] == ['m14', 'm15', 'm16']
    with pytest.raises(Forbidden):  # bob is no member of dev: nothing to read, as for latest/before/after
        await services.messages.around(bob, room.id, 15)
    with pytest.raises(ValidationError):
        await services.messages.around(alice, room.id, -1)
