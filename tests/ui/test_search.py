"""The search page as a person uses it: the header box, results that link into their conversations, filters,
paging, and the sentences for a bad query or nothing found. Data is prepared before the app starts."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from nicegui import ui
from nicegui.testing import User

from chat_ui.components.message_list import MessageList
from services.bootstrap import bootstrap
from services.config import Settings
from tests.support import FAST_HASHER

from .conftest import eventually, html_of, press, sign_in_over_api
from .conftest import field as input_field

PASSWORD = 'correct horse'


@dataclass
class World:
    general: int = 0
    dm: int = 0  # alice and bob
    secret: int = 0  # bob and carol's private room
    at: dict[str, str] = field(default_factory=dict)  # message text -> the link that opens it: /room/<id>?seq=N


@pytest.fixture
async def world(fresh_data_dir: Path) -> World:
    """alice, bob, carol; "deploy" in general, in alice and bob's DM and in a private room alice is not in; 30
    messages about lunch, then 60 more. Requested before `user`, so the app starts on this data."""
    fresh_data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (a test's fixture, before the app runs)
    settings = Settings.from_env(env={'CHAT_RATE_LIMITS': 'off'}, data_dir=fresh_data_dir)
    services = bootstrap(settings, password_hasher=FAST_HASHER)
    await services.start()
    w = World()
    try:
        alice, bob, carol = [await services.accounts.sign_up(name, PASSWORD) for name in ('alice', 'bob', 'carol')]
        w.general = (await services.rooms.default_room(alice)).id
        w.dm = (await services.conversations.open_dm(alice, 'bob')).id
        secret = await services.rooms.create_room(bob, 'secret', private=True)
        w.secret = secret.id
        await services.membership.invite(bob, secret.id, 'carol')
        for who, room, text in ((alice, w.general, 'We deploy the release on Friday'),
                                (bob, w.secret, 'deploy the secret rocket'),
                                (bob, w.dm, 'the deploy key is in the vault <b>not bold</b>'),
                                (carol, w.general, 'Deploy went fine')):
            message = await services.messages.post(who, room, text, f'c-{len(w.at)}')
            w.at[text] = f'/room/{room}?seq={message.seq}'
        for n in range(30):
            message = await services.messages.post(carol, w.general, f'lunch number {n}', f'lunch-{n}')
            w.at[f'lunch number {n}'] = f'/room/{w.general}?seq={message.seq}'
        for n in range(60):  # more than a room page's first history (50) after them
            await services.messages.post(alice, w.general, f'chatter {n}', f'chatter-{n}')
    finally:
        await services.close()
    return w


async def sign_in(user: User, name: str = 'alice') -> None:
    await sign_in_over_api(user, name, PASSWORD)


def results(user: User) -> list[str]:
    """The links of the results shown, in order (each page of results is an HTML element, added below the last)."""
    pages = sorted(user.find(kind=ui.html).elements, key=lambda e: e.id)
    return [html.unescape(href) for page in pages
            for href in re.findall(r'data-testid="search-result" href="([^"]*)"', str(page.content))]


async def search(user: User, query: str) -> None:
    input_field(user, 'Search messages').type(query).trigger('keydown.enter')
    await user.should_see(marker='search-filters', retries=50)


async def test_the_header_box_finds_my_messages_newest_first_with_links_to_them(world: World, user: User) -> None:
    await sign_in(user)
    await search(user, 'deploy')
    # alice's conversations only: not bob and carol's private room
    assert results(user) == [world.at['Deploy went fine'], world.at['the deploy key is in the vault <b>not bold</b>'],
                             world.at['We deploy the release on Friday']]
    page = html_of(user)
    assert '<mark>Deploy</mark> went fine' in page and 'rocket' not in page
    assert 'vault &lt;b&gt;not bold&lt;/b&gt;' in page  # text, never markup
    assert '<span class="chat-result-room">bob</span>' in page  # a DM is called by the other person
    assert '<span class="chat-result-author">carol</span>' in page
    assert value(user, 'Search messages') == 'deploy'  # the box shows the query


async def test_a_bad_query_is_explained_and_nothing_found_is_said(world: World, user: User) -> None:
    await sign_in(user)
    await user.open('/search?q=deploy%20before%3A2026-13-01')
    await user.should_see('before: takes a date written YYYY-MM-DD, like before:2026-11-01.')
    assert results(user) == []
    await user.open('/search?q=zebra')
    await user.should_see('No messages found')
    await user.open('/search?q=rocket')  # it exists, in a room alice is not in
    await user.should_see('No messages found')


async def test_signed_out_goes_to_sign_in(world: World, user: User) -> None:
    await user.open('/search?q=deploy')
    await user.should_see('Create account')
    await user.should_not_see(marker='search-filters')


async def test_load_more_pages_on_without_repeats(world: World, user: User) -> None:
    await sign_in(user)
    await user.open('/search?q=lunch')
    lunches = [world.at[f'lunch number {n}'] for n in reversed(range(30))]
    assert results(user) == lunches[:25]
    press(user, 'Load more')
    await user.should_not_see('Load more', retries=50)  # the last page: the button goes
    assert results(user) == lunches


def navigated_to(user: User) -> tuple[str, dict[str, list[str]]]:
    url = urlsplit(user.back_history[-1] if user.back_history else '')
    return url.path, parse_qs(url.query)


def value(user: User, label: str) -> object:
    (element,) = input_field(user, label).elements
    return element.value


async def test_filters_rewrite_the_query(world: World, user: User) -> None:
    await sign_in(user)
    await user.open('/search?q=deploy%20on%3A2026-11-05')
    await user.should_see('No messages found')
    assert value(user, 'After') == '2026-11-04'  # the controls show the query's on: as the days around it
    assert value(user, 'Before') == '2026-11-06'
    input_field(user, 'After').clear()
    input_field(user, 'Before').clear()
    input_field(user, 'From').type('carol')
    press(user, 'Apply filters')
    await eventually(lambda: navigated_to(user) == ('/search', {'q': ['deploy from:carol']}))
    await eventually(lambda: results(user) == [world.at['Deploy went fine']])

    # a direct message has no name to write: the page's room parameter takes it
    (select,) = user.find(kind=ui.select, content='Conversation').elements
    assert list(select.options.values()) == ['All conversations', '#general', 'bob']  # mine only: not #secret
    select.set_value(f'id:{world.dm}')
    input_field(user, 'From').clear()
    press(user, 'Apply filters')
    await eventually(lambda: navigated_to(user) == ('/search', {'q': ['deploy'], 'room': [str(world.dm)]}))
    await eventually(lambda: results(user) == [world.at['the deploy key is in the vault <b>not bold</b>']])
    (select,) = user.find(kind=ui.select, content='Conversation').elements
    assert select.value == f'id:{world.dm}'

    # a new query in the header box keeps the direct message the filters show
    input_field(user, 'Search messages').clear()
    await search(user, 'vault')
    await eventually(lambda: navigated_to(user) == ('/search', {'q': ['vault'], 'room': [str(world.dm)]}))
    await eventually(lambda: results(user) == [world.at['the deploy key is in the vault <b>not bold</b>']])


async def test_a_result_opens_its_room_around_the_message(world: World, user: User) -> None:
    await sign_in(user)
    target = world.at['lunch number 29']  # 60 newer messages follow it: not among the latest 50
    await user.open(target)
    (pane,) = user.find(kind=MessageList).elements
    seq = int(target.rsplit('=', 1)[1])
    seqs = [int(str(m['seq'])) for m in pane.props['history']]
    assert seqs == list(range(seq - 25, seq + 25))  # the history around it, which the page shows and marks
    assert pane.props['focusSeq'] == seq
    assert pane.props['lastSeq'] == seq + 60  # the room goes on: the page knows, and live messages wait for it

    await user.open(f'/room/{world.general}?seq=nonsense')  # a hand-edited link: the latest messages
    (pane,) = user.find(kind=MessageList).elements
    assert [m['seq'] for m in pane.props['history']][-1] == pane.props['lastSeq'] == seq + 60
    assert 'focusSeq' not in pane.props
