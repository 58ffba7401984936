"""Replies: a message that answers another of the same room carries its author and first line, as it is now."""
import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, RateLimited, ValidationError
from services.events import MessagePosted
from services.models import ReplyRef, User
from services.store.replies import EXCERPT, excerpt

from .conftest import Recorder


async def test_a_reply_carries_its_parent_live_and_in_history(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    parent = await services.messages.post(bob, room.id, '# Lunch **today**?\nat noon', 'b1')
    recorder.clear()

    reply = await services.messages.post(alice, room.id, 'yes!', 'a1', reply_to=parent.seq)

    expected = ReplyRef(seq=parent.seq, author='bob', excerpt='Lunch today?', deleted=False)
    assert reply.reply_to == expected
    assert [e.message.reply_to for e in recorder.of(MessagePosted)] == [expected]  # type: ignore[attr-defined]
    assert (await services.messages.latest(bob, room.id))[-1].reply_to == expected
    assert (await services.messages.after(bob, room.id, parent.seq))[0].reply_to == expected
    assert (await services.messages.latest(bob, room.id))[-2].reply_to is None
    # the same client id again (a retry) returns the stored reply, its parent included
    again = await services.messages.post(alice, room.id, 'yes!', 'a1', reply_to=parent.seq)
    assert (again.id, again.reply_to) == (reply.id, expected)

    await services.messages.delete(bob, room.id, parent.seq)
    shown = (await services.messages.latest(alice, room.id))[-1]
    assert shown.reply_to == ReplyRef(seq=parent.seq, author='bob', excerpt='', deleted=True)


async def test_a_reply_must_answer_a_text_message_of_the_same_room(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    notice = (await services.messages.latest(alice, room.id))[-1]
    assert notice.kind == 'join'
    gone = await services.messages.post(bob, room.id, 'oops', 'b1')
    await services.messages.delete(bob, room.id, gone.seq)
    elsewhere = await services.rooms.create_room(alice, 'other')
    there = await services.messages.post(alice, elsewhere.id, 'other room', 'a0')
    recorder.clear()
    before = await services.messages.latest(alice, room.id)

    with pytest.raises(ValidationError, match=r'^You can only reply to a message, not to a notice$'):
        await services.messages.post(alice, room.id, 'hi', 'a1', reply_to=notice.seq)
    with pytest.raises(ValidationError, match=r'^That message was deleted: it cannot be replied to$'):
        await services.messages.post(alice, room.id, 'hi', 'a2', reply_to=gone.seq)
    with pytest.raises(NotFound, match=r'^The message you reply to does not exist$'):
        await services.messages.post(alice, room.id, 'hi', 'a3', reply_to=there.seq + 50)
    for bad in (-1, 'x', True, 2**40):
        with pytest.raises(ValidationError):
            await services.messages.post(alice, room.id, 'hi', 'a4', reply_to=bad)  # type: ignore[arg-type]
    assert await services.messages.latest(alice, room.id) == before
    assert recorder.events == []
    # and refused replies cost no allowance: the burst is whole but for the message in the other room
    for i in range(services.settings.limits.message_burst - 1):
        await services.messages.post(alice, room.id, f'm{i}', f'ok{i}')
    with pytest.raises(RateLimited):
        await services.messages.post(alice, room.id, 'one too many', 'late')


async def test_a_non_member_cannot_reply(services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    parent = await services.messages.post(alice, room.id, 'hello', 'a1')
    await services.rooms.leave(bob, room.id)
    recorder.clear()
    with pytest.raises(Forbidden, match=r'^You are not a member of this room$'):
        await services.messages.post(bob, room.id, 'hi', 'b1', reply_to=parent.seq)
    assert recorder.events == []


@pytest.mark.parametrize(('body', 'expected'), [
    ('plain', 'plain'),
    ('\n\n  second line first  \nthird', 'second line first'),
    ('> quoted *text*', 'quoted *text*'),
    ('- **bold** item', 'bold item'),
    ('1. `code` here', 'code here'),
    ('a   lot\tof   space', 'a lot of space'),
    ('<script>alert(1)</script>', '<script>alert(1)</script>'),  # plain text: the page shows it as text
    ('', ''),
])
def test_the_excerpt_is_the_first_line_as_plain_text(body: str, expected: str) -> None:
    assert excerpt(body) == expected


def test_a_long_first_line_is_cut() -> None:
    cut = excerpt('word ' * 100)
    assert len(cut) <= EXCERPT and cut.endswith('…')
