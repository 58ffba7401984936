"""Editing one's own message: what its author and the room's other people see happen."""
import pytest

from services.bootstrap import Services
from services.errors import Forbidden, NotFound, RateLimited, ValidationError
from services.events import MessageEdited
from services.models import User

from .conftest import FakeClock, Recorder


async def test_the_author_edits_and_everyone_reads_the_new_text_marked_edited(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    posted = await services.messages.post(alice, room.id, 'helo **all**', 'c1')
    assert not posted.edited
    recorder.clear()

    edited = await services.messages.edit(alice, room.id, posted.seq, 'hello **all**')

    assert (edited.seq, edited.body, edited.html) == (posted.seq, 'hello **all**', '<p>hello <strong>all</strong></p>')
    assert edited.edited and edited.edited_at is not None
    assert recorder.events == [MessageEdited(room.id, posted.seq, posted.id, edited.html, edited.edited_at)]
    seen = (await services.messages.latest(bob, room.id))[-1]
    assert (seen.body, seen.edited) == ('hello **all**', True)
    # the text it replaced is kept
    history = await services.store.edit_history(room.id, posted.seq)
    assert [(v.body, v.html) for v in history] == [('helo **all**', '<p>helo <strong>all</strong></p>')]


async def test_nobody_edits_someone_elses_message_not_even_a_moderator(
        services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    room = await services.rooms.create_room(alice, 'plans')  # alice owns it
    await services.rooms.join(bob, room.id)
    message = await services.messages.post(bob, room.id, 'bob wrote this', 'b1')
    recorder.clear()
    with pytest.raises(Forbidden, match=r'^You can only edit your own messages$'):
        await services.messages.edit(alice, room.id, message.seq, 'alice rewrote it')
    assert (await services.messages.latest(bob, room.id))[-1].body == 'bob wrote this'
    assert recorder.events == []


async def test_a_deleted_message_or_a_notice_cannot_be_edited(
        services: Services, alice: User, bob: User) -> None:
    room = await services.rooms.create_room(alice, 'plans')
    message = await services.messages.post(alice, room.id, 'oops', 'c1')
    await services.messages.delete(alice, room.id, message.seq)
    with pytest.raises(Forbidden, match=r'^That message was deleted: it cannot be edited$'):
        await services.messages.edit(alice, room.id, message.seq, 'back again')
    assert (await services.messages.latest(alice, room.id))[-1].body == ''
    await services.rooms.join(bob, room.id)
    notice = (await services.messages.latest(bob, room.id))[-1]
    assert notice.kind == 'join'
    with pytest.raises(Forbidden, match=r'^Notices cannot be edited$'):
        await services.messages.edit(bob, room.id, notice.seq, 'bob joined, happily')
    with pytest.raises(NotFound, match=r'^No such message$'):
        await services.messages.edit(alice, room.id, 999, 'nothing there')


async def test_a_bad_text_is_refused_and_the_same_text_changes_nothing(
        services: Services, alice: User, recorder: Recorder) -> None:
    room = await services.rooms.default_room(alice)
    message = await services.messages.post(alice, room.id, 'keep me', 'c1')
    recorder.clear()
    with pytest.raises(ValidationError):
        await services.messages.edit(alice, room.id, message.seq, '   ')
    with pytest.raises(ValidationError):
        await services.messages.edit(alice, room.id, message.seq, 'x' * (services.settings.max_message_length + 1))
    same = await services.messages.edit(alice, room.id, message.seq, 'keep me')
    assert not same.edited
    assert recorder.events == []
    assert await services.store.edit_history(room.id, message.seq) == []


async def test_edits_count_against_the_senders_message_limit(
        services: Services, alice: User, clock: FakeClock) -> None:
    room = await services.rooms.default_room(alice)
    message = await services.messages.post(alice, room.id, 'v0', 'c0')
    for i in range(1, 10):  # the post and nine edits: the burst of ten
        await services.messages.edit(alice, room.id, message.seq, f'v{i}')
    with pytest.raises(RateLimited, match=r'^Slow down'):
        await services.messages.edit(alice, room.id, message.seq, 'v10')
    assert (await services.messages.latest(alice, room.id))[-1].body == 'v9'
    clock.advance(1.0)
    await services.messages.edit(alice, room.id, message.seq, 'v10')
    assert len(await services.store.edit_history(room.id, message.seq)) == 10


async def test_a_page_back_from_away_learns_which_messages_it_shows_were_edited(
        services: Services, alice: User, bob: User) -> None:
    room = await services.rooms.default_room(alice)
    await services.rooms.join(bob, room.id)
    first = await services.messages.post(alice, room.id, 'one', 'c1')
    second = await services.messages.post(alice, room.id, 'two', 'c2')
    gone = await services.messages.post(alice, room.id, 'three', 'c3')
    await services.messages.edit(alice, room.id, second.seq, 'two, edited')
    await services.messages.edit(alice, room.id, gone.seq, 'three, edited')
    await services.messages.delete(alice, room.id, gone.seq)
    changed = await services.messages.edited_between(bob, room.id, first.seq, gone.seq)
    assert [(m.seq, m.body) for m in changed] == [(second.seq, 'two, edited')]  # the deleted one stays deleted
    assert await services.store.edit_history(room.id, gone.seq) == []  # its earlier texts went with it
