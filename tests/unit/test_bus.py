import logging

import pytest

from services.bus.memory import InProcessBus
from services.events import Event, PresenceChanged


async def test_handlers_get_events_in_order_and_failures_are_contained(caplog: pytest.LogCaptureFixture) -> None:
    bus = InProcessBus()
    got: list[tuple[str, Event]] = []

    async def first(event: Event) -> None:
        got.append(('first', event))

    async def broken(event: Event) -> None:
        raise RuntimeError('boom')

    async def last(event: Event) -> None:
        got.append(('last', event))

    for handler in (first, broken, last):
        bus.subscribe(handler)
    one, two = PresenceChanged(1, 'online'), PresenceChanged(1, 'away')
    with caplog.at_level(logging.ERROR):
        await bus.publish(one)  # does not raise
        await bus.publish(two)
    assert got == [('first', one), ('last', one), ('first', two), ('last', two)]
    assert 'boom' in caplog.text


def test_topics() -> None:
    assert PresenceChanged(3, 'online').topic == 'user:3'
