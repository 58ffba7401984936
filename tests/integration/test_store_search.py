"""The search contract on every store: MemoryStore, SQLite (FTS5) and PostgreSQL (tsvector) find the same messages."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.models import User
from services.store.migrate import alembic_config
from services.store.ports.search import SearchQuery
from services.store.sqlalchemy_store import SQLAlchemyStore

from .conftest import Store, pg_database
from .test_store_contract import join, leave


def q(*terms: str, prefix: bool = False, **filters: object) -> SearchQuery:
    """A query of terms; a term with spaces is a phrase."""
    return SearchQuery(terms=tuple(tuple(term.split()) for term in terms), prefix=prefix, **filters)  # type: ignore[arg-type]


async def bodies(store: Store, user: User, query: SearchQuery, limit: int = 50, before_id: int | None = None,
                 ) -> list[str]:
    return [hit.message.body for hit in await store.search_messages(user.id, query, limit, before_id)]


async def setup(store: Store) -> tuple[User, User, int]:
    alice = await store.create_user('alice', 'h')
    bob = await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    for i, body in enumerate([
        'The deploy went fine',
        'Café au lait is GREAT',
        'Deploying tomorrow, naïve plan',
        'see https://example.com/path?q=1 or mail ops@example.org',
        'foo-bar and snake_case and x²',
    ]):
        await store.post_message(room.id, alice, body, f'<p>{body}</p>', f'c{i}')
    return alice, bob, room.id


async def test_words_match_whole_ignoring_case_and_diacritics(store: Store) -> None:
    alice, _, _ = await setup(store)
    assert await bodies(store, alice, q('cafe')) == ['Café au lait is GREAT']
    assert await bodies(store, alice, q('CAFÉ')) == ['Café au lait is GREAT']  # the store folds what it is given
    assert await bodies(store, alice, q('great')) == ['Café au lait is GREAT']
    assert await bodies(store, alice, q('naive')) == ['Deploying tomorrow, naïve plan']
    assert await bodies(store, alice, q('deploy')) == ['The deploy went fine']  # a whole word, not 'Deploying'
    assert await bodies(store, alice, q('lai')) == []


async def test_punctuation_splits_words_the_same_everywhere(store: Store) -> None:
    alice, _, _ = await setup(store)
    url = 'see https://example.com/path?q=1 or mail ops@example.org'
    assert await bodies(store, alice, q('example')) == [url]  # inside a URL and an address
    assert await bodies(store, alice, q('ops')) == [url]
    assert await bodies(store, alice, q('bar')) == ['foo-bar and snake_case and x²']
    assert await bodies(store, alice, q('snake case')) == ['foo-bar and snake_case and x²']
    assert await bodies(store, alice, q('x²')) == ['foo-bar and snake_case and x²']
    assert await bodies(store, alice, q('x2')) == []  # FTS5 does not fold ² to 2: neither may the others


async def test_phrases_need_their_words_in_order_and_terms_all_match(store: Store) -> None:
    alice, _, _ = await setup(store)
    assert await bodies(store, alice, q('deploy went')) == ['The deploy went fine']
    assert await bodies(store, alice, q('went deploy')) == []
    assert await bodies(store, alice, q('deploy', 'fine')) == ['The deploy went fine']
    assert await bodies(store, alice, q('deploy', 'tomorrow')) == []


async def test_prefix_on_the_last_word_and_newest_first(store: Store) -> None:
    alice, _, _ = await setup(store)
    assert await bodies(store, alice, q('depl', prefix=True)) == [
        'Deploying tomorrow, naïve plan', 'The deploy went fine']
    assert await bodies(store, alice, q('the depl', prefix=True)) == ['The deploy went fine']


async def test_only_members_find_and_only_while_members(store: Store) -> None:
    alice, bob, room_id = await setup(store)
    assert await bodies(store, bob, q('deploy')) == []
    await join(store, room_id, bob.id, 'bob joined')
    assert await bodies(store, bob, q('deploy')) == ['The deploy went fine']
    await leave(store, room_id, bob.id, 'bob left')
    assert await bodies(store, bob, q('deploy')) == []
    assert await bodies(store, alice, q('joined')) == []  # notices are not messages to find
    assert await bodies(store, alice, q('left')) == []


async def test_deleted_messages_are_not_found(store: Store) -> None:
    alice, _, room_id = await setup(store)
    assert await store.delete_message(room_id, 1)
    assert await bodies(store, alice, q('deploy')) == []
    assert await bodies(store, alice, q('depl', prefix=True)) == ['Deploying tomorrow, naïve plan']


async def test_an_edited_message_is_found_by_its_new_words_only(store: Store) -> None:
    alice, _, room_id = await setup(store)
    edited = await store.edit_message(room_id, 1, alice.id, 'The rollout went fine', 'h', datetime.now(UTC))
    assert edited.body == 'The rollout went fine'
    assert await bodies(store, alice, q('deploy')) == []
    assert await bodies(store, alice, q('rollout')) == ['The rollout went fine']


async def test_new_messages_are_found_at_once(store: Store) -> None:
    alice, _, room_id = await setup(store)
    await store.post_message(room_id, alice, 'another deploy', 'h', 'later')
    assert await bodies(store, alice, q('deploy')) == ['another deploy', 'The deploy went fine']


async def test_filters_and_paging(store: Store) -> None:
    alice, bob, room_id = await setup(store)
    other = await store.create_room('ops', '', bob.id)
    await join(store, other.id, alice.id, 'alice joined')
    await store.post_message(other.id, bob, 'deploy from ops', 'h', 'b1')
    await store.post_message(other.id, alice, 'deploy again', 'h', 'a1')
    assert await bodies(store, alice, q('deploy')) == ['deploy again', 'deploy from ops', 'The deploy went fine']
    assert await bodies(store, alice, q('deploy', author_id=bob.id)) == ['deploy from ops']
    assert await bodies(store, alice, q('deploy', room_id=room_id)) == ['The deploy went fine']
    assert await bodies(store, alice, q('deploy', room_id=9999)) == []
    assert await bodies(store, alice, q(author_id=bob.id)) == ['deploy from ops']  # filters alone
    hits = await store.search_messages(alice.id, q('deploy'), 2)
    assert [h.message.body for h in hits] == ['deploy again', 'deploy from ops']
    assert (hits[0].room_name, hits[0].room_kind, hits[0].message.seq) == ('ops', 'public', 3)
    assert await bodies(store, alice, q('deploy'), 2, hits[-1].message.id) == ['The deploy went fine']
    first = (await store.search_messages(alice.id, q('deploy'), 1, hits[-1].message.id))[0].message.created_at
    assert await bodies(store, alice, replace(q('deploy'), until=first)) == []
    assert await bodies(store, alice, replace(q('deploy'), since=first + timedelta(days=1))) == []
    assert len(await bodies(store, alice, replace(q('deploy'), since=first))) == 3  # since: included
    newest = hits[0].message.created_at
    assert 'deploy again' not in await bodies(store, alice, replace(q('deploy'), since=first, until=newest))


async def test_hostile_words_are_plain_words(store: Store) -> None:
    alice, _, room_id = await setup(store)
    await store.post_message(room_id, alice, 'NEAR(a b) AND "quoted" it\'s a\\b', 'h', 'odd')
    for word in ['NEAR(', '"', "'", '*', '-', ':', '\\', '^', 'AND', 'OR', 'NOT', '(', ')', '&', '|', '!', '<->',
                 '', '\x00', "it's", 'a\\b', 'col:x', '{x}', '"quoted"']:
        await store.search_messages(alice.id, q(word), 10)  # never a driver error
    assert await bodies(store, alice, q('near')) == ['NEAR(a b) AND "quoted" it\'s a\\b']
    assert await bodies(store, alice, q("it's")) == ['NEAR(a b) AND "quoted" it\'s a\\b']  # the phrase "it s"
    assert await bodies(store, alice, q('"quoted"')) == ['NEAR(a b) AND "quoted" it\'s a\\b']
    assert await bodies(store, alice, q('*')) == []  # no word left: nothing, not everything
    assert await bodies(store, alice, SearchQuery(terms=(("'", 'and'),))) == await bodies(store, alice, q('and'))


def _fill_at_0003(connection: Connection) -> None:
    """A site from before search: a message, a notice, a deleted message and one with an accent."""
    command.upgrade(alembic_config(connection), '0003')
    connection.execute(text(
        "INSERT INTO users (id, username, username_lower, password_hash, created_at) VALUES "
        "(1, 'alice', 'alice', 'h', '2026-01-01 00:00:00+00')"))
    connection.execute(text(
        "INSERT INTO rooms (id, name, name_lower, topic, created_by, created_at, last_seq, kind) VALUES "
        "(1, 'dev', 'dev', '', 1, '2026-01-01 00:00:00+00', 4, 'public')"))
    connection.execute(text(
        "INSERT INTO memberships (room_id, user_id, joined_at, role) VALUES (1, 1, '2026-01-01 00:00:00+00', 'owner')"))
    connection.execute(text(
        'INSERT INTO messages (room_id, seq, author_id, body, html, client_id, kind, created_at, deleted) VALUES '
        "(1, 1, 1, 'alice joined the deploy room', '', 'join:1', 'join', '2026-01-01 00:00:00+00', false), "
        "(1, 2, 1, 'the deploy is done', '', 'c2', 'text', '2026-01-01 00:00:01+00', false), "
        "(1, 3, 1, '', '', 'c3', 'text', '2026-01-01 00:00:02+00', true), "
        "(1, 4, 1, 'Déploiement demain', '', 'c4', 'text', '2026-01-01 00:00:03+00', false)"))


@pytest.fixture(params=['sqlite', 'postgres'])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with contextlib.AsyncExitStack() as stack:
        if request.param == 'postgres':
            yield await stack.enter_async_context(pg_database())
        else:
            yield f'sqlite+aiosqlite:///{tmp_path / "old.db"}'


async def test_messages_from_before_search_are_found_after_the_upgrade(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_fill_at_0003)
    finally:
        await engine.dispose()
    store = SQLAlchemyStore(url)
    await store.start()  # 0003 → head: the backfill
    try:
        alice = await store.get_user(1)
        assert alice is not None
        assert await bodies(store, alice, q('deploy')) == ['the deploy is done']  # not the notice
        assert await bodies(store, alice, q('deploiement')) == ['Déploiement demain']
        message, _ = await store.post_message(1, alice, 'deploy again', 'h', 'c5')  # the seq goes on from 4
        assert message.seq == 5 and await bodies(store, alice, q('again')) == ['deploy again']
    finally:
        await store.close()


async def test_sqlite_keeps_the_index_current_whatever_changes_the_rows(tmp_path: Path) -> None:
    """Triggers, not the store's code, keep FTS5 current: an edit or a cascade by any writer is reflected."""
    path = tmp_path / 'chat.db'
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{path}')
    await store.start()
    try:
        alice = await store.create_user('alice', 'h')
        room = await store.create_room('dev', '', alice.id)
        other = await store.create_room('ops', '', alice.id)
        await store.post_message(room.id, alice, 'first draft', 'h', 'c1')
        await store.post_message(other.id, alice, 'draft in ops', 'h', 'c2')
        with sqlite3.connect(path) as db:
            db.execute("UPDATE messages SET body = 'final text' WHERE client_id = 'c1'")  # an edit
            db.execute('PRAGMA foreign_keys=ON')
            db.execute('DELETE FROM rooms WHERE id = ?', (other.id,))  # its messages go by cascade
        assert await bodies(store, alice, q('draft')) == []
        assert await bodies(store, alice, q('final')) == ['final text']
        with sqlite3.connect(path) as db:
            assert db.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        await store.close()


async def test_sqlite_reads_the_matches_newest_first_from_the_index(tmp_path: Path) -> None:
    """The plan bench/search.py depends on: FTS5 delivers rowids in descending order, no sort of all matches."""
    store = SQLAlchemyStore(f'sqlite+aiosqlite:///{tmp_path / "chat.db"}')
    await store.start()
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if 'messages_fts MATCH' in statement and not statement.startswith('EXPLAIN'):
            plans.extend(str(row) for row in conn.exec_driver_sql('EXPLAIN QUERY PLAN ' + statement, parameters))

    event.listen(store._engine.sync_engine, 'before_cursor_execute', explain)
    try:
        alice = await store.create_user('alice', 'h')
        await store.search_messages(alice.id, q('deploy'), 10, 99)
    finally:
        await store.close()
    assert plans and not any('TEMP B-TREE' in plan for plan in plans), plans
    assert any('VIRTUAL TABLE INDEX' in plan for plan in plans), plans
