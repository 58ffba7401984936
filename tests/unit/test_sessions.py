"""Server-side sessions on the fakes: tickets, expiry, sign-out events, password change (issue 8 rows 5, 7, 14)."""
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from services.bootstrap import Services, bootstrap
from services.bus.memory import InProcessBus
from services.config import Settings
from services.errors import AuthenticationFailed, RateLimited, ValidationError
from services.events import SessionsEnded
from services.models import User
from services.sessions import Sessions, session_id
from services.store.memory import MemoryStore

from .conftest import FAST_HASHER, FakeClock, Recorder

DAY = 86400.0


class Now:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
async def services(settings: Settings, clock: FakeClock, now: Now) -> AsyncIterator[Services]:
    svc = bootstrap(settings, store=MemoryStore(), bus=InProcessBus(), clock=clock, password_hasher=FAST_HASHER)
    svc.sessions = svc.accounts._sessions = Sessions(svc.store, svc.bus, settings, now)
    await svc.start()
    yield svc
    await svc.close()


async def test_a_ticket_is_single_use_short_lived_and_bound_to_its_browser(
        services: Services, alice: User, now: Now) -> None:
    sessions = services.sessions
    ticket = await sessions.issue_ticket(alice, 'browser-a')
    assert await sessions.redeem_ticket(ticket, 'browser-b') is None  # another browser (login CSRF)
    assert await sessions.redeem_ticket(ticket, 'browser-a') is None  # and it is gone now
    ticket = await sessions.issue_ticket(alice, 'browser-a')
    redeemed = await sessions.redeem_ticket(ticket, 'browser-a')
    assert redeemed is not None
    token, session = redeemed
    assert session.user_id == alice.id and session.id == session_id(token) and token not in session.id
    assert await sessions.redeem_ticket(ticket, 'browser-a') is None  # single use
    late = await sessions.issue_ticket(alice, 'browser-a')
    now.advance(61)
    assert await sessions.redeem_ticket(late, 'browser-a') is None
    assert await sessions.resolve(ticket) is None  # a ticket is never a session


async def test_every_sign_in_gets_a_new_token(services: Services, alice: User) -> None:
    first, _ = await services.sessions.create(alice)
    second, _ = await services.sessions.create(alice)
    assert first != second and len(first) >= 40
    assert (await services.sessions.resolve(first)) is not None and (await services.sessions.resolve(second))


async def test_idle_and_absolute_expiry(services: Services, alice: User, now: Now) -> None:
    token, _ = await services.sessions.create(alice)
    for _ in range(6):  # used every 13 days: the idle expiry keeps moving
        now.advance(13 * DAY)
        assert await services.sessions.resolve(token) is not None
    now.advance(13 * DAY)  # 91 days after sign-in: past the absolute 90
    assert await services.sessions.resolve(token) is None
    idle, _ = await services.sessions.create(alice)
    now.advance(14 * DAY)
    assert await services.sessions.resolve(idle) is None


async def test_sign_out_ends_one_session_and_tells_its_pages(
        services: Services, alice: User, recorder: Recorder) -> None:
    token, session = await services.sessions.create(alice)
    other, _ = await services.sessions.create(alice)
    assert await services.sessions.end(session.id)
    assert await services.sessions.resolve(token) is None and await services.sessions.resolve(other) is not None
    assert recorder.of(SessionsEnded) == [SessionsEnded(alice.id, (session.id,))]
    assert not await services.sessions.end(session.id)  # already over: nothing more to tell


async def test_sign_out_everywhere(services: Services, alice: User, bob: User, recorder: Recorder) -> None:
    tokens = [(await services.sessions.create(alice))[0] for _ in range(3)]
    bobs, _ = await services.sessions.create(bob)
    assert await services.sessions.end_all(alice.id) == 3
    assert [await services.sessions.resolve(t) for t in tokens] == [None] * 3
    assert await services.sessions.resolve(bobs) is not None
    (ended,) = recorder.of(SessionsEnded)
    assert isinstance(ended, SessionsEnded) and sorted(ended.session_ids) == sorted(session_id(t) for t in tokens)


async def test_purge_removes_expired_sessions_and_tells_their_pages(
        services: Services, alice: User, now: Now, recorder: Recorder) -> None:
    _, old = await services.sessions.create(alice)
    await services.sessions.issue_ticket(alice)
    now.advance(15 * DAY)
    fresh, _ = await services.sessions.create(alice)
    assert await services.sessions.purge() == 2
    (ended,) = recorder.of(SessionsEnded)
    assert isinstance(ended, SessionsEnded) and old.id in ended.session_ids
    assert await services.sessions.resolve(fresh) is not None


async def test_password_change_ends_every_other_session(services: Services, alice: User) -> None:
    mine, current = await services.sessions.create(alice)
    others = [(await services.sessions.create(alice))[0] for _ in range(2)]
    assert await services.accounts.change_password(alice, 'password-a', 'a new password', current.id) == 2
    assert await services.sessions.resolve(mine) is not None
    assert [await services.sessions.resolve(t) for t in others] == [None, None]
    with pytest.raises(AuthenticationFailed):
        await services.accounts.sign_in('alice', 'password-a')
    assert await services.accounts.sign_in('alice', 'a new password') == alice


async def test_password_change_checks_the_current_one_with_a_lockout(services: Services, alice: User) -> None:
    with pytest.raises(ValidationError, match='at least 8'):
        await services.accounts.change_password(alice, 'password-a', 'short')
    for _ in range(6):
        with pytest.raises(AuthenticationFailed, match=r'^Your current password is not right\.$'):
            await services.accounts.change_password(alice, 'guess-guess', 'a new password')
    with pytest.raises(RateLimited, match='Too many'):
        await services.accounts.change_password(alice, 'password-a', 'a new password')


async def test_alive_is_what_a_page_checks_after_subscribing(services: Services, alice: User, now: Now) -> None:
    _, session = await services.sessions.create(alice)
    ticket = await services.sessions.issue_ticket(alice)
    assert await services.sessions.alive(session.id)
    assert not await services.sessions.alive(session_id(ticket))  # a ticket is no session
    await services.sessions.end(session.id)
    assert not await services.sessions.alive(session.id)
    _, later = await services.sessions.create(alice)
    now.advance(91 * DAY)
    assert not await services.sessions.alive(later.id)


async def test_an_open_page_renews_the_idle_expiry(services: Services, alice: User, now: Now) -> None:
    token, session = await services.sessions.create(alice)
    for _ in range(4):  # a tab left open and in use for 52 days, never reloaded
        now.advance(13 * DAY)
        await services.sessions.seen(session.id)
    assert await services.sessions.resolve(token) is not None
    now.advance(39 * DAY)  # 91 days: the absolute limit holds whatever the use
    await services.sessions.seen(session.id)
    assert await services.sessions.resolve(token) is None
