"""Arbitrary input never crashes a service or leaves the store inconsistent."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.bootstrap import bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.errors import ChatError
from services.store.memory import MemoryStore

from .conftest import FAST_HASHER

text = (st.text(max_size=300) | st.from_regex(r'[A-Za-z0-9_-]{1,64}', fullmatch=True)
        | st.sampled_from(['', ' ', 'general', 'alice', 'x' * 5000, '\x00', '\u202e']))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(st.sampled_from(['sign_up', 'create_room', 'post']), text, text), max_size=8))
async def test_any_text_either_works_or_raises_a_chat_error(calls: list[tuple[str, str, str]]) -> None:
    store = MemoryStore()
    services = bootstrap(Settings(), store=store, bus=InProcessBus(), password_hasher=FAST_HASHER)
    await services.start()
    user = await services.accounts.sign_up('tester', 'password-t')
    general = await services.rooms.default_room(user)
    for verb, a, b in calls:
        try:
            if verb == 'sign_up':
                await services.accounts.sign_up(a, b)
            elif verb == 'create_room':
                await services.rooms.create_room(user, a, b)
            else:
                await services.messages.post(user, general.id, a, b)
        except ChatError:
            pass
    for room in await store.list_rooms('', 200, 0):
        history = await store.latest(room.id, 200)
        assert [m.seq for m in history] == list(range(1, len(history) + 1))
        assert all(m.body.strip() and '\x00' not in m.body for m in history)
    await services.close()
