"""Search as a user meets it: the query language, the marked snippets, membership, filters and paging."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.bootstrap import Services
from services.errors import ValidationError
from services.models import Room, User
from services.search import SearchPage, snippet
from services.search_query import ParsedQuery, filters_of, parse, with_filters


@pytest.fixture
async def room(services: Services, alice: User) -> Room:
    return await services.rooms.create_room(alice, 'dev')


async def found(page: SearchPage) -> list[str]:
    return [r.snippet for r in page.results]


def test_words_phrases_and_filters_are_understood() -> None:
    query = parse('Deploy "Release  Notes" from:@Alice in:#general after:2026-10-31 before:2026-12-01 naïve*')
    assert query.terms == (('deploy',), ('release', 'notes'), ('naive',))
    assert query.prefix
    assert (query.author, query.room) == ('Alice', 'general')
    assert query.since == datetime(2026, 11, 1, tzinfo=UTC)  # after a day: from the next one
    assert query.until == datetime(2026, 12, 1, tzinfo=UTC)  # before a day: up to its start
    on = parse('ON:2026-11-05')
    assert (on.since, on.until) == (datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC))
    assert parse('foo-bar').terms == (('foo', 'bar'),)  # split as the message's words are: a phrase
    assert parse('http://x.org note:').terms == (('http', 'x', 'org'), ('note',))  # not filters: words
    assert not parse('a* deploy').prefix and not parse('deploy a*').prefix  # a one-letter prefix is a word


@pytest.mark.parametrize(('raw', 'error'), [
    ('x' * 201, 'Search for at most 200 characters.'),
    (' '.join(['w'] * 11), 'Search for at most 10 words.'),
    ('"one two three four five six seven eight nine ten eleven"', 'Search for at most 10 words.'),
    ('before:2026-13-01', 'before: takes a date written YYYY-MM-DD, like before:2026-11-01.'),
    ('after:yesterday', 'after: takes a date written YYYY-MM-DD, like after:2026-11-01.'),
    ('on:20261101', 'on: takes a date written YYYY-MM-DD, like on:2026-11-01.'),
    ('from: alice', 'Write from: and its value together, like from:alice.'),
    ('in:a in:b', 'Use in: once in a search.'),
    ('on:2026-11-01 before:2026-11-02', 'Use on: alone, or before: and after:.'),
    ('', 'Type a word to search for.'),
    ('" * - : ( ^ ) &', 'Type a word to search for.'),
    (None, 'Search text must be text.'),
])
def test_bad_queries_get_a_sentence(raw: object, error: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse(raw)
    assert str(refused.value) == error


def test_snippets_are_escaped_and_mark_the_matched_words() -> None:
    query = parse('"script tag" alert*')  # a phrase, and a prefix
    html = snippet('<script>alert(1)</script> is a script tag, an Alerting one\nsecond line', query)
    assert html == ('&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; is a <mark>script</mark> '
                    '<mark>tag</mark>, an <mark>Alerting</mark> one second line')
    long = 'filler words ' * 20 + 'the Café matters ' + 'and more words after it ' * 20
    cut = snippet(long, parse('cafe'))
    assert cut.startswith('…') and cut.endswith('…') and '<mark>Café</mark>' in cut and len(cut) < 200
    assert snippet('a &amp; b', ParsedQuery(terms=(('amp',),))) == 'a &amp;<mark>amp</mark>; b'


async def test_results_come_from_my_conversations_newest_first_and_open_at_the_message(
        services: Services, alice: User, bob: User, room: Room) -> None:
    await services.messages.post(alice, room.id, 'the deploy is done', 'c1')
    await services.messages.post(alice, room.id, 'another **deploy** <b>now</b>', 'c2')
    secret = await services.rooms.create_room(bob, 'secret', private=True)
    await services.messages.post(bob, secret.id, 'deploy secretly', 'c3')
    page = await services.search.messages(alice, 'deploy')
    assert await found(page) == ['another **<mark>deploy</mark>** &lt;b&gt;now&lt;/b&gt;',
                                 'the <mark>deploy</mark> is done']
    first = page.results[0]
    assert (first.room_name, first.title, first.room_kind, first.author, first.seq) == ('dev', 'dev', 'public',
                                                                                        'alice', 2)
    assert first.url == f'/room/{room.id}?seq=2' and page.next_before is None
    assert await found(await services.search.messages(bob, 'deploy')) == ['<mark>deploy</mark> secretly']
    await services.rooms.join(bob, room.id)
    assert len((await services.search.messages(bob, 'deploy')).results) == 3
    await services.rooms.leave(bob, room.id)
    assert len((await services.search.messages(bob, 'deploy')).results) == 1  # members now, not members once


async def test_deleted_messages_and_notices_are_not_found(
        services: Services, alice: User, bob: User, room: Room) -> None:
    await services.messages.post(alice, room.id, 'oops wrong deploy', 'c1')
    await services.rooms.join(bob, room.id)  # the notice 'bob joined'
    await services.messages.delete(alice, room.id, 1)
    assert (await services.search.messages(alice, 'deploy')).results == ()
    assert (await services.search.messages(alice, 'joined')).results == ()


async def test_filters_name_people_and_rooms_and_nobody_is_no_error(
        services: Services, alice: User, bob: User, room: Room) -> None:
    await services.rooms.join(bob, room.id)
    await services.messages.post(alice, room.id, 'release today', 'c1')
    await services.messages.post(bob, room.id, 'release tomorrow', 'c2')
    dm = await services.conversations.open_dm(alice, 'bob')
    await services.messages.post(bob, dm.id, 'release plan, between us', 'c3')
    search = services.search.messages
    assert await found(await search(alice, 'release from:bob in:dev')) == ['<mark>release</mark> tomorrow']
    assert await found(await search(alice, 'from:me')) == ['release today']
    assert [r.title for r in (await search(alice, 'from:bob')).results] == ['bob', 'dev']  # a DM: the other one
    assert await found(await search(alice, 'release', room_id=dm.id)) == ['<mark>release</mark> plan, between us']
    assert (await search(alice, 'release from:nobody')).results == ()
    assert (await search(alice, 'release in:nowhere')).results == ()
    secret = await services.rooms.create_room(bob, 'secret', private=True)
    await services.messages.post(bob, secret.id, 'release the secret', 'c4')
    assert (await search(alice, 'release in:secret')).results == ()  # the same as a room that does not exist
    assert (await search(alice, 'release', room_id=secret.id)).results == ()
    assert (await search(alice, 'release before:2000-01-01')).results == ()
    assert len((await search(alice, 'release after:2000-01-01')).results) == 3


async def test_pages_follow_on_without_repeats(services: Services, alice: User, room: Room) -> None:
    for i in range(7):
        await services.messages.post(alice, room.id, f'note number {i}', f'c{i}')
    seen: list[int] = []
    before = None
    while True:
        page = await services.search.messages(alice, 'note', limit=3, before=before)
        seen += [r.seq for r in page.results]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    with pytest.raises(ValidationError):
        await services.search.messages(alice, 'note', before=0)
    with pytest.raises(ValidationError):
        await services.search.messages(alice, 'note', room_id='1')  # type: ignore[arg-type]


def test_the_pages_controls_rewrite_the_filters_and_keep_the_words() -> None:
    raw = 'deploy "release notes" FROM:bob on:2026-11-05 in:'
    assert with_filters(raw, author='alice', room='general', after='2026-10-31') == \
        'deploy "release notes" from:alice in:general after:2026-10-31'
    assert with_filters(raw) == 'deploy "release notes"'  # empty controls: no filters
    assert with_filters('from:bob', author=' @carol ') == 'from:@carol'
    with pytest.raises(ValidationError, match='from: takes one word'):
        with_filters('deploy', author='carol dan')
    # the controls show what a query says: written back, it means the same
    for query in ('deploy from:me in:#dev on:2026-11-05', 'x after:2026-10-31 before:2026-12-01', 'plain words'):
        parsed = parse(query)
        assert parse(with_filters(query, **filters_of(parsed))) == parsed
    assert filters_of(parse('x on:2026-11-05')) == {'author': '', 'room': '', 'after': '2026-11-04',
                                                    'before': '2026-11-06'}
