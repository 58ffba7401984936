"""Unit fixtures: the services on MemoryStore + InProcessBus, a fake clock, a recording subscriber."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.events import Event
from services.models import User
from services.store.memory import MemoryStore
from tests.support import FAST_HASHER


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Recorder:
    """A bus subscriber that keeps every event, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Event]:
        return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        self.events.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def hasher() -> PasswordHasher:
    return FAST_HASHER


@pytest.fixture
async def services(settings: Settings, clock: FakeClock, hasher: PasswordHasher) -> AsyncIterator[Services]:
    svc = bootstrap(settings, store=MemoryStore(), bus=InProcessBus(), clock=clock, password_hasher=hasher)
    await svc.start()
    # The first account is the site's administrator, who may read any room: one that is no test's alice or bob.
    await svc.store.create_user('root', 'not a hash')
    yield svc
    await svc.close()


@pytest.fixture
def recorder(services: Services) -> Recorder:
    rec = Recorder()
    services.bus.subscribe(rec)
    return rec


@pytest.fixture
async def alice(services: Services) -> User:
    return await services.accounts.sign_up('alice', 'password-a')


@pytest.fixture
async def bob(services: Services) -> User:
    return await services.accounts.sign_up('bob', 'password-b')
