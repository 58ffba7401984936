"""Every entry point, fed anything a hostile page could send (any JSON value, any text), either works or
raises one of the typed errors; afterwards the store is still consistent.

One property per entry point, so a failure names the entry point; EXAMPLES each.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import RateLimits, Settings
from services.errors import ChatError
from services.models import User
from services.store.memory import MemoryStore
from tests.support import FAST_HASHER

EXAMPLES = 150
NO_LIMITS = RateLimits(enabled=False)
NAME = re.compile(r'^[a-z0-9_.-]{3,32}$')

hostile_text = st.text(max_size=200) | st.sampled_from([
    '', ' ', '\x00', 'general', 'ALICE', 'a' * 33, 'x' * 5000, '\u202egeneral', 'gen\u200beral', 'génèral',
    '<script>alert(1)</script>', '../../etc/passwd', "' OR 1=1 --", '%00', '\r\n', '\t', '\ud800'[:0] + '\U0001f600',
])
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
anything = hostile_text | json_value
number = st.integers(min_value=-(2**70), max_value=2**70) | json_value


async def world(limits: RateLimits = NO_LIMITS) -> tuple[Services, MemoryStore, User, int]:
    store = MemoryStore()
    services = bootstrap(Settings(limits=limits), store=store, bus=InProcessBus(), password_hasher=FAST_HASHER)
    await services.start()
    user = await services.accounts.sign_up('tester', 'password-t')
    room = await services.rooms.default_room(user)
    await services.messages.post(user, room.id, 'hello', 'first')
    return services, store, user, room.id


async def consistent(store: MemoryStore) -> None:
    for room in await store.list_rooms('', 200, 0):
        assert NAME.match(room.name), room.name
        history = await store.after(room.id, 0, 200)
        assert [m.seq for m in history] == list(range(1, len(history) + 1))
        assert all(m.body.strip() and '\x00' not in m.body for m in history)
        assert room.member_count == len(await store.members(room.id))
        assert '\n' not in room.topic and '\u202e' not in room.topic
    for room in await store.list_rooms('', 200, 0):
        for member in await store.members(room.id):
            assert NAME.match(member.username), member.username


async def survive(call: Callable[[], Awaitable[Any]]) -> None:
    try:
        await call()
    except ChatError:
        pass


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(username=anything, password=anything)
async def test_sign_up(username: Any, password: Any) -> None:
    services, store, _, _ = await world()
    await survive(lambda: services.accounts.sign_up(username, password))
    await consistent(store)


@SETTINGS
@given(username=anything, password=anything)
async def test_sign_in(username: Any, password: Any) -> None:
    services, store, _, _ = await world()
    await survive(lambda: services.accounts.sign_in(username, password))
    await consistent(store)


@SETTINGS
@given(name=anything, topic=anything)
async def test_create_room(name: Any, topic: Any) -> None:
    services, store, user, _ = await world()
    await survive(lambda: services.rooms.create_room(user, name, topic))
    await consistent(store)


@SETTINGS
@given(room_id=number, topic=anything)
async def test_set_topic(room_id: Any, topic: Any) -> None:
    services, store, user, _ = await world()
    await survive(lambda: services.rooms.set_topic(user, room_id, topic))
    await consistent(store)


@SETTINGS
@given(body=anything, client_id=anything, use_room=st.booleans(), room_id=number)
async def test_post_message(body: Any, client_id: Any, use_room: bool, room_id: Any) -> None:
    services, store, user, general = await world()
    await survive(lambda: services.messages.post(user, general if use_room else room_id, body, client_id))
    await consistent(store)


@SETTINGS
@given(verb=st.sampled_from(['latest', 'before', 'after']), room_id=number, seq=number, limit=number)
async def test_sequence_ranges(verb: str, room_id: Any, seq: Any, limit: Any) -> None:
    services, store, user, _ = await world()
    method = getattr(services.messages, verb)
    await survive(lambda: method(user, room_id, limit) if verb == 'latest' else method(user, room_id, seq, limit))
    await consistent(store)


@SETTINGS
@given(query=anything, limit=number, offset=number)
async def test_browse_page_parameters(query: Any, limit: Any, offset: Any) -> None:
    services, store, user, _ = await world()
    await survive(lambda: services.rooms.browse(user, query, limit, offset))
    await consistent(store)


@SETTINGS
@given(verb=st.sampled_from(['join', 'leave', 'get_room', 'members']), room_id=number)
async def test_room_ids(verb: str, room_id: Any) -> None:
    services, store, user, _ = await world()
    await survive(lambda: getattr(services.rooms, verb)(user, room_id))
    await survive(lambda: services.typing.started(user, room_id))
    await consistent(store)


# Names and client ids that pass validation, so that a sequence gets far enough to meet the rate limits.
plausible = st.from_regex(r'[A-Za-z0-9_-]{1,64}', fullmatch=True) | st.sampled_from(['alice', '\u202e'])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(st.sampled_from(['sign_up', 'create_room', 'post']), hostile_text | plausible,
                                hostile_text | plausible), max_size=8))
async def test_a_sequence_of_calls_with_the_limits_on(calls: list[tuple[str, str, str]]) -> None:
    """Several calls in a row under tight rate limits: what is refused (limits included) leaves no trace."""
    services, store, user, general = await world(RateLimits(message_burst=3, room_burst=2))
    for verb, a, b in calls:
        if verb == 'sign_up':
            await survive(partial(services.accounts.sign_up, a, b))
        elif verb == 'create_room':
            await survive(partial(services.rooms.create_room, user, a, b))
        else:
            await survive(partial(services.messages.post, user, general, a, b))
    await consistent(store)
