import pytest

from services.bootstrap import Services
from services.errors import AuthenticationFailed, Conflict, NotFound, ValidationError
from services.events import MembershipChanged, MessagePosted
from services.models import User

from .conftest import Recorder


async def test_sign_up_then_sign_in(services: Services) -> None:
    user = await services.accounts.sign_up('  Alice ', 'correct horse')
    assert user.username == 'alice'
    assert await services.accounts.sign_in('ALICE', 'correct horse') == user
    assert await services.accounts.get_user(user.id) == user


async def test_password_is_stored_as_argon2id(services: Services, alice: User) -> None:
    found = await services.store.get_credentials('alice')
    assert found is not None
    assert found[1].startswith('$argon2id$') and 'password-a' not in found[1]


async def test_taken_username_is_a_conflict_case_insensitively(services: Services, alice: User) -> None:
    with pytest.raises(Conflict, match=r'^That username is taken$'):
        await services.accounts.sign_up('ALICE', 'another-password')


@pytest.mark.parametrize(('username', 'password'), [
    ('alice', 'wrong-password'), ('nobody', 'password-a'), ('x', 'password-a'), ('alice', ''),
])
async def test_sign_in_failures_do_not_say_which_part_was_wrong(
        services: Services, alice: User, username: str, password: str) -> None:
    with pytest.raises(AuthenticationFailed, match=r'^Wrong username or password$'):
        await services.accounts.sign_in(username, password)


async def test_sign_up_validates(services: Services) -> None:
    with pytest.raises(ValidationError, match='Password'):
        await services.accounts.sign_up('carol', 'short')
    assert await services.store.get_credentials('carol') is None


async def test_sign_up_joins_general_with_a_notice(services: Services, recorder: Recorder) -> None:
    user = await services.accounts.sign_up('alice', 'password-a')
    general = await services.rooms.default_room(user)
    assert general.name == 'general' and general.topic == 'Company-wide chat'
    [notice] = await services.messages.latest(user, general.id)
    assert (notice.kind, notice.body) == ('join', 'alice joined')
    assert recorder.events == [
        MessagePosted(notice), MembershipChanged(general.id, user.id, 'alice', True, 1),
    ]


async def test_weak_hash_is_upgraded_on_sign_in(services: Services, alice: User) -> None:
    from argon2 import PasswordHasher
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16).hash('password-a')
    await services.store.set_password_hash(alice.id, old)
    await services.accounts.sign_in('alice', 'password-a')
    found = await services.store.get_credentials('alice')
    assert found is not None and found[1] != old
    await services.accounts.sign_in('alice', 'password-a')


async def test_unknown_user_id_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        await services.accounts.get_user(999)
