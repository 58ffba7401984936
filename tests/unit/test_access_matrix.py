"""The access matrix: every service entry point x conversation kind x viewer gives what services/policy.py says.

Each case builds a room of one kind with an owner (olive), a moderator (mona), a member (mel, the target of
remove / ban / set_role, the author of the message to delete), a banned user (bert, the target of unban) and
an outsider (tess, the one invited), puts the viewer in one standing, calls one entry point and classifies
the outcome: ok, Forbidden or NotFound. The expectation comes from the policy table; an independent, hand-
written expectation for a sample of cases checks the table itself (so a wrong table fails here too). A
refusal must change nothing, and a NotFound must be exactly what a room that does not exist gives.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from services import policy
from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.errors import ChatError, Forbidden, NotFound
from services.models import Standing, User
from services.store.memory import MemoryStore
from tests.support import FAST_HASHER

from .conftest import FakeClock

VIEWERS = ('member', 'non-member', 'invited', 'removed', 'banned', 'moderator', 'owner', 'administrator')
KINDS = ('public', 'private', 'dm', 'group')
MEMBER_LIKE = {'member', 'invited', 'moderator', 'owner'}


@dataclass
class World:
    services: Services
    room_id: int
    viewer: User
    mel_seq: int  # a message of mel's
    own_seq: int  # a message of the viewer's (written while they were a member)


Call = Callable[[World, int], Awaitable[Any]]  # (world, room id) -> the entry point's awaitable
ENTRY_POINTS: dict[str, tuple[policy.Action, Call]] = {
    'read latest': ('read', lambda w, r: w.services.messages.latest(w.viewer, r)),
    'read before': ('read', lambda w, r: w.services.messages.before(w.viewer, r, 99)),
    'read after': ('read', lambda w, r: w.services.messages.after(w.viewer, r, 0)),
    'read around': ('read', lambda w, r: w.services.messages.around(w.viewer, r, 1)),
    'get room': ('read', lambda w, r: w.services.rooms.get_room(w.viewer, r)),
    'display name': ('read', lambda w, r: w.services.conversations.display_name(w.viewer, r)),
    'post': ('post', lambda w, r: w.services.messages.post(w.viewer, r, 'hello', 'matrix-1')),
    'typing': ('typing', lambda w, r: w.services.typing.started(w.viewer, r)),
    'list members': ('list_members', lambda w, r: w.services.rooms.members(w.viewer, r)),
    'roster': ('list_members', lambda w, r: w.services.rooms.roster(w.viewer, r)),
    'join': ('join', lambda w, r: w.services.rooms.join(w.viewer, r)),
    'leave': ('leave', lambda w, r: w.services.rooms.leave(w.viewer, r)),
    'invite': ('invite', lambda w, r: w.services.membership.invite(w.viewer, r, 'tess')),
    'remove': ('remove', lambda w, r: w.services.membership.remove(w.viewer, r, 'mel')),
    'ban': ('ban', lambda w, r: w.services.membership.ban(w.viewer, r, 'mel')),
    'unban': ('unban', lambda w, r: w.services.membership.unban(w.viewer, r, 'bert')),
    'banned list': ('unban', lambda w, r: w.services.membership.banned(w.viewer, r)),
    'set topic': ('set_topic', lambda w, r: w.services.rooms.set_topic(w.viewer, r, 'New topic')),
    'delete own': ('delete_own', lambda w, r: w.services.messages.delete(w.viewer, r, w.own_seq)),
    'delete other': ('delete_other', lambda w, r: w.services.messages.delete(w.viewer, r, w.mel_seq)),
    'edit own': ('edit_own', lambda w, r: w.services.messages.edit(w.viewer, r, w.own_seq, 'hello, edited')),
    'set role': ('set_role', lambda w, r: w.services.membership.set_role(w.viewer, r, 'mel', 'moderator')),
    'react': ('react', lambda w, r: w.services.reactions.toggle(w.viewer, r, w.mel_seq, '\U0001F44D')),
    'reply': ('post', lambda w, r: w.services.messages.post(w.viewer, r, 're', 'matrix-2', reply_to=w.mel_seq)),
}

# Written by hand from the issue, not from the table: if the table says otherwise, this fails.
SAMPLE: dict[tuple[str, str, str], str] = {
    ('public', 'non-member', 'join'): 'ok',
    ('public', 'non-member', 'read latest'): 'Forbidden',
    ('public', 'banned', 'join'): 'Forbidden',
    ('public', 'banned', 'read latest'): 'Forbidden',
    ('public', 'removed', 'post'): 'Forbidden',
    ('public', 'member', 'invite'): 'ok',
    ('public', 'member', 'ban'): 'Forbidden',
    ('public', 'member', 'set topic'): 'Forbidden',
    ('public', 'member', 'delete other'): 'Forbidden',
    ('public', 'member', 'delete own'): 'ok',
    ('public', 'member', 'edit own'): 'ok',
    ('public', 'removed', 'edit own'): 'Forbidden',
    ('public', 'administrator', 'edit own'): 'Forbidden',
    ('public', 'moderator', 'ban'): 'ok',
    ('public', 'moderator', 'set topic'): 'ok',
    ('public', 'moderator', 'set role'): 'Forbidden',
    ('public', 'owner', 'set role'): 'ok',
    ('public', 'administrator', 'typing'): 'Forbidden',
    ('public', 'administrator', 'remove'): 'ok',
    ('private', 'non-member', 'read latest'): 'NotFound',
    ('private', 'non-member', 'join'): 'NotFound',
    ('private', 'banned', 'join'): 'NotFound',
    ('private', 'banned', 'list members'): 'NotFound',
    ('private', 'removed', 'post'): 'NotFound',
    ('private', 'invited', 'post'): 'ok',
    ('private', 'member', 'invite'): 'Forbidden',
    ('private', 'moderator', 'invite'): 'ok',
    ('private', 'moderator', 'delete other'): 'ok',
    ('private', 'administrator', 'read latest'): 'ok',
    ('private', 'administrator', 'post'): 'Forbidden',
    ('private', 'administrator', 'set role'): 'ok',
    ('private', 'administrator', 'join'): 'ok',
    ('dm', 'administrator', 'read latest'): 'NotFound',
    ('dm', 'administrator', 'delete other'): 'NotFound',
    ('dm', 'member', 'post'): 'ok',
    ('dm', 'member', 'edit own'): 'ok',
    ('group', 'non-member', 'edit own'): 'NotFound',
    ('dm', 'member', 'invite'): 'Forbidden',
    ('dm', 'member', 'leave'): 'Forbidden',
    ('dm', 'owner', 'ban'): 'Forbidden',
    ('dm', 'removed', 'read after'): 'NotFound',
    ('dm', 'non-member', 'get room'): 'NotFound',
    ('group', 'member', 'invite'): 'ok',
    ('group', 'member', 'leave'): 'ok',
    ('group', 'owner', 'set topic'): 'Forbidden',
    ('group', 'non-member', 'typing'): 'NotFound',
    ('group', 'banned', 'join'): 'NotFound',
    ('public', 'member', 'react'): 'ok',
    ('public', 'removed', 'react'): 'Forbidden',
    ('public', 'administrator', 'react'): 'Forbidden',
    ('private', 'non-member', 'react'): 'NotFound',
    ('private', 'invited', 'reply'): 'ok',
    ('dm', 'member', 'react'): 'ok',
    ('group', 'banned', 'reply'): 'NotFound',
}


@pytest.fixture
async def fresh(tmp_path: Path) -> AsyncIterator[Services]:
    services = bootstrap(Settings(data_dir=tmp_path), store=MemoryStore(), bus=InProcessBus(), clock=FakeClock(),
                         password_hasher=FAST_HASHER)
    await services.start()
    yield services
    await services.close()


async def build(services: Services, kind: str, viewer_kind: str) -> World:
    """The room of `kind` and the viewer in their standing, written through the store (not the services under test,
    except an invitation for 'invited')."""
    store = services.store
    root = await store.create_user('root', 'h')  # the first account: the administrator
    olive, mona, mel, bert, tess, vic = [await store.create_user(n, 'h')
                                         for n in ('olive', 'mona', 'mel', 'bert', 'tess', 'vic')]
    assert root.is_admin and not vic.is_admin
    viewer = root if viewer_kind == 'administrator' else vic
    in_it = viewer_kind in MEMBER_LIKE
    if kind in ('public', 'private'):
        room = await store.create_room('matrix', 'Old topic', olive.id, kind)  # type: ignore[arg-type]
    elif kind == 'dm':
        first = vic if in_it else olive
        room, _ = await store.create_direct('dm', [first.id, mel.id], f'{first.id}:{mel.id}')
    else:
        room, _ = await store.create_direct('group', [olive.id, mona.id, mel.id, *([vic.id] if in_it else [])], None)
    async with store.unit() as uow:
        await uow.add_member(room.id, mel.id)
        await uow.add_member(room.id, mona.id, 'moderator' if kind in ('public', 'private') else 'member')
        await uow.ban(room.id, bert.id, olive.id)
        await uow.add_member(room.id, viewer.id)  # long enough to write a message of their own
    mel_message, _ = await store.post_message(room.id, mel, 'by mel', '<p>by mel</p>', 'mel-1')
    own, _ = await store.post_message(room.id, viewer, 'by the viewer', '<p>by the viewer</p>', 'own-1')
    async with store.unit() as uow:
        if not in_it:
            await uow.remove_member(room.id, viewer.id)
        if viewer_kind == 'banned':
            await uow.ban(room.id, viewer.id, olive.id)
        if viewer_kind in ('moderator', 'owner'):
            await uow.set_role(room.id, viewer.id, viewer_kind)  # type: ignore[arg-type]
    if viewer_kind == 'invited' and kind != 'dm':  # in a 1:1 one is in from the start
        async with store.unit() as uow:
            await uow.remove_member(room.id, viewer.id)
        inviter = olive if kind in ('public', 'private') else mel
        await services.membership.invite(inviter, room.id, viewer.username)
    assert tess.id and bert.id
    return World(services, room.id, viewer, mel_message.seq, own.seq)


async def outcome(call: Awaitable[Any]) -> tuple[str, str]:
    try:
        await call
    except (Forbidden, NotFound) as error:
        return type(error).__name__, str(error)
    return 'ok', ''


async def snapshot(world: World) -> tuple[object, ...]:
    store, room_id = world.services.store, world.room_id
    return (await store.latest(room_id, 100), await store.roster(room_id), await store.banned(room_id),
            await store.get_room(room_id))


CASES = [(k, v, e) for k in KINDS for v in VIEWERS for e in ENTRY_POINTS]


@pytest.mark.parametrize(('kind', 'viewer_kind', 'entry'), CASES, ids=['/'.join(c) for c in CASES])
async def test_every_entry_point_follows_the_policy(fresh: Services, kind: str, viewer_kind: str, entry: str) -> None:
    world = await build(fresh, kind, viewer_kind)
    action, call = ENTRY_POINTS[entry]
    room = await fresh.store.get_room(world.room_id)
    standing = await fresh.store.standing(world.room_id, world.viewer.id)
    assert room is not None
    if policy.allowed(action, room.kind, standing, world.viewer.is_admin):
        expected = 'ok'
    else:
        expected = type(policy.refusal(action, room.kind, standing, world.viewer.is_admin)).__name__
    if (kind, viewer_kind, entry) in SAMPLE:
        assert SAMPLE[kind, viewer_kind, entry] == expected, 'the policy table disagrees with the issue'
    before = await snapshot(world)
    got, text = await outcome(call(world, world.room_id))
    assert got == expected, text
    if got != 'ok':
        assert await snapshot(world) == before, 'a refused call changed something'
    if got == 'NotFound':  # no existence leak: the very answer a room that does not exist gives
        nowhere = await outcome(call(world, world.room_id + 1000))
        assert (got, text) == nowhere == ('NotFound', 'That room does not exist')


def test_the_sample_covers_every_kind_and_viewer() -> None:
    assert {k for k, _, _ in SAMPLE} == set(KINDS)
    assert {v for _, v, _ in SAMPLE} == set(VIEWERS)
    assert {e for _, _, e in SAMPLE} <= set(ENTRY_POINTS)


def test_reacting_has_the_rows_of_posting() -> None:
    for kind in policy.KINDS:
        for who in policy.WHO:
            assert ('react' in policy.TABLE[kind][who]) == ('post' in policy.TABLE[kind][who])
        assert ('react' in policy.ADMIN[kind]) == ('post' in policy.ADMIN[kind])


def test_posting_needs_membership_in_every_kind() -> None:
    """Messages.post leaves the check to the store's transaction (membership): the table must agree with that."""
    for kind in policy.KINDS:
        for who in policy.WHO:
            assert ('post' in policy.TABLE[kind][who]) == (who in ('owner', 'moderator', 'member'))
        assert 'post' not in policy.ADMIN[kind]


def test_the_table_prints_as_markdown() -> None:
    text = policy.markdown()
    assert '### private' in text and '| invite | ✓ | ✓ | — | — | — | ✓ |' in text
    assert text.count('| set_role |') == len(policy.KINDS)


def test_a_refusal_is_a_chat_error_with_a_sentence() -> None:
    error = policy.refusal('ban', 'public', Standing(role='member'))
    assert isinstance(error, ChatError) and str(error) == 'Only the owner or a moderator can do that'
