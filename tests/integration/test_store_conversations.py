"""The store contract for conversations (kinds, roles, bans, direct messages, the unit of work), the
administrator flag and deleted messages: the same answers on MemoryStore, SQLite and PostgreSQL."""
import asyncio

import pytest

from services.errors import Conflict, NotFound
from services.models import Standing

from .conftest import Store, StoreFactory

NO_ID = 987_654


async def test_the_first_user_is_the_administrator_even_when_two_sign_up_at_once(store: Store) -> None:
    users = await asyncio.gather(*(store.create_user(f'user{i}', 'h') for i in range(5)))
    assert sum(u.is_admin for u in users) == 1
    later = await store.create_user('later', 'h')
    assert not later.is_admin
    admin = next(u for u in users if u.is_admin)
    assert await store.get_user(admin.id) == admin and await store.get_user_by_name(admin.username.upper()) == admin
    assert (await store.get_credentials(admin.username)) == (admin, 'h')
    assert await store.get_user_by_name('nobody') is None


async def test_kinds_decide_what_the_room_list_shows(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    await store.create_room('pub', '', alice.id)
    secret = await store.create_room('secret', '', alice.id, 'private')
    assert secret.kind == 'private'
    await store.create_direct('dm', [alice.id, bob.id], f'{alice.id}:{bob.id}')
    await store.create_direct('group', [alice.id, bob.id], None)
    assert [r.name for r in await store.list_rooms('', 10, 0)] == ['pub']
    assert [r.name for r in await store.list_rooms('', 10, 0, member_id=bob.id)] == ['pub']
    assert [r.name for r in await store.list_rooms('', 10, 0, member_id=alice.id)] == ['pub', 'secret']
    assert [r.name for r in await store.list_rooms('e', 10, 0, every=True)] == ['secret']
    assert [r.name for r in await store.list_rooms('', 10, 0, every=True)] == ['pub', 'secret']  # never a DM
    assert [(r.name, r.kind) for r in await store.rooms_of(alice.id)] == [
        ('', 'dm'), ('', 'group'), ('pub', 'public'), ('secret', 'private')]
    assert await store.get_room_by_name('') is None  # a nameless DM is not found by name


async def test_the_creator_is_the_owner_and_roles_change(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    assert await store.standing(room.id, alice.id) == Standing('owner', False)
    assert await store.standing(room.id, bob.id) == Standing(None, False)
    async with store.unit() as uow:
        assert await uow.add_member(room.id, bob.id)
        assert not await uow.add_member(room.id, bob.id)
        assert await uow.set_role(room.id, bob.id, 'moderator')
    roles = [(m.user.username, m.role) for m in await store.roster(room.id)]
    assert roles == [('alice', 'owner'), ('bob', 'moderator')]
    async with store.unit() as uow:
        assert await uow.remove_member(room.id, bob.id) == 'moderator'
        assert await uow.remove_member(room.id, bob.id) is None
        assert not await uow.set_role(room.id, bob.id, 'member')
    assert await store.standing(NO_ID, alice.id) == Standing()  # a question: no role in a room that is not


async def test_bans_are_kept_until_lifted(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    async with store.unit() as uow:
        assert await uow.ban(room.id, bob.id, alice.id)
        assert not await uow.ban(room.id, bob.id, alice.id)
        assert await uow.standing(room.id, bob.id) == Standing(None, True)
    assert await store.banned(room.id) == [bob]
    async with store.unit() as uow:
        assert await uow.unban(room.id, bob.id)
        assert not await uow.unban(room.id, bob.id)
    assert await store.banned(room.id) == [] and await store.standing(room.id, bob.id) == Standing()


async def test_a_unit_that_fails_changes_nothing(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    room = await store.create_room('dev', '', alice.id)
    with pytest.raises(NotFound, match='No such user'):
        async with store.unit() as uow:
            await uow.add_member(room.id, bob.id)
            await uow.append_notice(room.id, bob.id, 'join', 'bob joined', 'bob joined')
            await uow.ban(room.id, bob.id, alice.id)
            await uow.add_member(room.id, NO_ID)  # fails last: everything before it goes too
    assert await store.members(room.id) == [alice] and await store.latest(room.id, 10) == []
    assert await store.banned(room.id) == []
    async with store.unit() as uow:  # and the seq the failed notice took is free again
        await uow.add_member(room.id, bob.id)
        notice = await uow.append_notice(room.id, bob.id, 'join', 'bob joined', 'bob <b>joined</b>')
    assert (notice.seq, notice.kind, notice.body, notice.html) == (1, 'join', 'bob joined', 'bob <b>joined</b>')
    assert (await store.get_room(room.id)).member_count == 2  # type: ignore[union-attr]


async def test_unit_writes_about_an_unknown_room_raise_not_found(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    for write in ('add_member', 'remove_member', 'ban', 'unban'):
        with pytest.raises(NotFound, match='That room does not exist'):
            async with store.unit() as uow:
                if write in ('add_member', 'remove_member', 'unban'):
                    await getattr(uow, write)(NO_ID, alice.id)
                else:
                    await uow.ban(NO_ID, alice.id, None)
    async with store.unit() as uow:
        assert await uow.get_room(NO_ID) is None


async def test_a_one_to_one_is_made_once_even_when_both_open_it_at_once(store: Store) -> None:
    alice, bob = await store.create_user('alice', 'h'), await store.create_user('bob', 'h')
    key = f'{alice.id}:{bob.id}'
    results = await asyncio.gather(*(store.create_direct('dm', [a.id, b.id], key)
                                     for a, b in [(alice, bob), (bob, alice)] * 4))
    assert len({room.id for room, _ in results}) == 1 and sum(created for _, created in results) == 1
    room = results[0][0]
    assert (room.kind, room.name, room.member_count) == ('dm', '', 2)
    assert await store.members(room.id) == [alice, bob]
    assert await store.standing(room.id, alice.id) == Standing('member', False)
    group, created = await store.create_direct('group', [alice.id, bob.id], None)
    again, created_again = await store.create_direct('group', [alice.id, bob.id], None)
    assert created and created_again and group.id != again.id  # a group without a key: a new one each time
    with pytest.raises(NotFound, match='No such user'):
        await store.create_direct('dm', [alice.id, NO_ID], f'{alice.id}:{NO_ID}')
    assert len(await store.rooms_of(alice.id)) == 3


async def test_deleting_a_message_empties_it_once(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', alice.id)
    first, _ = await store.post_message(room.id, alice, 'oops', '<p>oops</p>', 'c1')
    await store.post_message(room.id, alice, 'kept', '<p>kept</p>', 'c2')
    assert await store.get_message(room.id, 1) == first and await store.get_message(room.id, 9) is None
    results = await asyncio.gather(*(store.delete_message(room.id, 1) for _ in range(3)))
    assert sorted(results) == [False, False, True]
    gone = await store.get_message(room.id, 1)
    assert gone is not None and (gone.deleted, gone.body, gone.html, gone.seq) == (True, '', '', 1)
    assert [(m.seq, m.deleted, m.body) for m in await store.latest(room.id, 10)] == [(1, True, ''), (2, False, 'kept')]
    assert not await store.delete_message(room.id, 9)
    again, created = await store.post_message(room.id, alice, 'oops', '<p>oops</p>', 'c1')  # a late retry
    assert not created and again.deleted  # does not bring it back
    with pytest.raises(NotFound, match='That room does not exist'):
        await store.delete_message(NO_ID, 1)
    with pytest.raises(NotFound, match='That room does not exist'):
        await store.get_message(NO_ID, 1)


async def test_notices_cannot_be_deleted(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    room = await store.create_room('dev', '', None)
    async with store.unit() as uow:
        await uow.add_member(room.id, alice.id)
        await uow.append_notice(room.id, alice.id, 'join', 'alice joined', 'alice joined')
    assert not await store.delete_message(room.id, 1)
    assert (await store.latest(room.id, 1))[0].body == 'alice joined'


async def test_private_rooms_share_the_names_of_all_rooms(store: Store) -> None:
    alice = await store.create_user('alice', 'h')
    await store.create_room('dev', '', alice.id, 'private')
    with pytest.raises(Conflict):
        await store.create_room('DEV', '', alice.id)


async def test_roles_bans_and_deletions_survive_reopening(open_store: StoreFactory) -> None:
    first = await open_store()
    alice, bob = await first.create_user('alice', 'h'), await first.create_user('bob', 'h')
    room = await first.create_room('dev', '', alice.id, 'private')
    async with first.unit() as uow:
        await uow.ban(room.id, bob.id, alice.id)
    await first.post_message(room.id, alice, 'x', 'x', 'c1')
    await first.delete_message(room.id, 1)
    await first.close()
    second = await open_store()
    assert (await second.get_room(room.id)).kind == 'private'  # type: ignore[union-attr]
    assert await second.standing(room.id, alice.id) == Standing('owner', False)
    assert await second.standing(room.id, bob.id) == Standing(None, True)
    assert (await second.latest(room.id, 1))[0].deleted
    assert (await second.get_user(alice.id)).is_admin  # type: ignore[union-attr]
