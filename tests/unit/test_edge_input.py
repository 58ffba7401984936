"""Issue 8 rows 1, 10 and 11 at the service layer: cheap checks first, clean refusals, invisible text."""
from __future__ import annotations

import asyncio
import os

import pytest

from services import access, formatting, validation
from services.bootstrap import Services
from services.errors import NotFound, RateLimited, ValidationError
from services.models import Room, User


@pytest.fixture
async def room(services: Services, alice: User) -> Room:
    return await services.rooms.create_room(alice, 'dev')


class CountingStr(str):
    """A str that counts how often it is iterated character by character."""

    iterations = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        CountingStr.iterations += 1
        return super().__iter__()


def test_an_oversized_body_is_refused_by_its_length_before_any_per_character_work() -> None:
    CountingStr.iterations = 0
    huge = CountingStr('\x01' * 5_000_000)
    with pytest.raises(ValidationError, match=r'^Message is too long \(5,000,000 of 4,000 characters\)$'):
        validation.message_body(huge, 4000)
    assert CountingStr.iterations == 0


def test_crlf_pairs_count_once() -> None:
    assert validation.message_body('a\r\n' * 2000, 8000) == 'a\n' * 2000
    with pytest.raises(ValidationError, match='too long'):
        validation.message_body('a\r\n' * 2000, 3999)


@pytest.mark.parametrize('body', ['\ud800', 'hi \udfff there', '\ud83d'])
def test_a_lone_surrogate_is_refused_with_a_sentence(body: str) -> None:
    with pytest.raises(ValidationError, match=r'^Message contains characters that are not allowed\.$'):
        validation.message_body(body, 4000)


@pytest.mark.parametrize('body', [
    '\u200b', '\u200b\u200c\u200d', ' \u2060 \ufeff ', '\U000e0041\U000e0042\U000e007f', '\u180e', '\u3164\u3164',
    '\u200e\u200f', '\u00ad', '\n\u200b\t',
])
def test_messages_of_only_invisible_characters_are_empty(body: str) -> None:
    with pytest.raises(ValidationError, match=r'^Message is empty$'):
        validation.message_body(body, 4000)


@pytest.mark.parametrize('body', ['a\u200bb', '👩\u200d💻', 'می\u200cخواهم', '❤️'])
def test_invisible_characters_inside_real_text_stay(body: str) -> None:
    assert validation.message_body(body, 4000) == body


@pytest.mark.parametrize('topic', [
    'right\u200fto left', 'arabic\u061cmark', 'zero\u200bwidth', 'tag\U000e0041s', '\ufeffbom', 'word\u2060joiner',
    'soft\u00adhyphen', 'lrm\u200e', 'end joiner \u200d', '\u200dstart', 'a\u200d\u200db', '👩\u200d',
    'filler \u3164', 'lone \ud800',
])
def test_topics_refuse_invisible_format_characters(topic: str) -> None:
    with pytest.raises(ValidationError, match=r'^Topic contains characters that are not allowed\.$'):
        validation.topic(topic)


@pytest.mark.parametrize('topic', [
    'Release 👩\u200d💻 planning', '❤️ love', '👍🏽 thumbs', '🏳️\u200d🌈 pride', 'می\u200cخواهم', 'ordinary words',
])
def test_topics_keep_emoji_sequences_and_joiners_inside_words(topic: str) -> None:
    assert validation.topic(topic) == topic


def test_a_huge_topic_is_refused_by_its_length() -> None:
    CountingStr.iterations = 0
    with pytest.raises(ValidationError, match=r'^Topic is too long'):
        validation.topic(CountingStr(' ' * 1_000_000))
    assert CountingStr.iterations == 0


@pytest.mark.parametrize('name', ['general.', '...', '.hidden', '-dash', 'under_', '_x_'])
def test_room_names_start_and_end_with_a_letter_or_digit(name: str) -> None:
    with pytest.raises(ValidationError, match=r'^Room name must start and end with a letter or digit\.$'):
        validation.room_name(name)


@pytest.mark.parametrize('name', ['general', 'dev-ops', 'a.b', '2024', 'x_y'])
def test_ordinary_room_names_pass(name: str) -> None:
    assert validation.room_name(name) == name


def test_usernames_keep_their_old_shape_so_existing_accounts_sign_in() -> None:
    assert validation.username('bob.') == 'bob.'


async def test_room_creation_refuses_the_new_shapes(services: Services, alice: User) -> None:
    with pytest.raises(ValidationError, match='start and end'):
        await services.rooms.create_room(alice, 'general.')


@pytest.mark.parametrize('raw', [10**20, 2**63, -1, 0])
def test_room_ids_outside_the_column_range_are_unknown_rooms(raw: int) -> None:
    with pytest.raises(NotFound, match=r'^That room does not exist$'):
        access.room_id(raw)


async def test_a_twenty_digit_room_id_is_not_found_everywhere(services: Services, alice: User) -> None:
    for call in (services.messages.post(alice, 10**20, 'hi', 'c'), services.messages.latest(alice, 10**20),
                 services.rooms.join(alice, 10**20), services.rooms.get_room(alice, 10**20)):
        with pytest.raises(NotFound):
            await call


@pytest.mark.parametrize('raw', [2**31, 10**20])
def test_seqs_beyond_the_column_range_are_refused(raw: int) -> None:
    with pytest.raises(ValidationError, match='Sequence number must be a whole number from 0 to 2,147,483,647'):
        validation.seq(raw)
    assert validation.seq(2**31 - 1) == 2**31 - 1


async def test_the_rate_limit_is_checked_before_the_body_is_looked_at(
        services: Services, alice: User, room: Room) -> None:
    for i in range(10):
        await services.messages.post(alice, room.id, f'm{i}', f'c{i}')
    CountingStr.iterations = 0
    with pytest.raises(RateLimited):
        await services.messages.post(alice, room.id, CountingStr('x' * 3000), 'c-next')
    assert CountingStr.iterations == 0


def pid_of_renderer(text: str) -> str:
    return str(os.getpid())


async def test_long_markdown_renders_in_another_process_short_at_once() -> None:
    renderer = formatting.Renderer(pid_of_renderer)
    try:
        assert await renderer.render('x' * 200) == str(os.getpid())
        assert await renderer.render('x' * 201) != str(os.getpid())
    finally:
        renderer.close()


async def test_worst_case_markdown_renders_the_same_in_the_worker(services: Services, alice: User, room: Room) -> None:
    bodies = ['[' * 4000, '**bold** ' + 'word ' * 100, '*_' * 2000]
    posted = await asyncio.gather(*(services.messages.post(alice, room.id, b, f'md{i}') for i, b in enumerate(bodies)))
    assert [m.html for m in posted] == [formatting.render_markdown(b) for b in bodies]
    services.messages.close()
