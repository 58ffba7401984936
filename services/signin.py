"""Which limits a sign-in attempt meets, counted before the password hash and settled after it.

Chosen after Zulip (every attempt counted per username before authenticating, the record cleared on
success), Synapse (`rc_login`: attempts per address, successful sign-ins per account) and OWASP's
device cookies (so that, unlike Zulip, a stranger cannot lock an account's owner out):

- per (username, address), or per known device of that username when the browser shows a valid
  device cookie: `signin_free` free attempts, then growing delays. This is what a guesser from one
  place meets; it never touches the owner signing in from elsewhere.
- per address, whatever the username: `signin_free_per_address` (one address spraying names).
- per username from unknown devices, whatever the address: `signin_free_per_user`, the ceiling for
  guessing from many addresses. A known device passes it, so the owner keeps signing in where they
  already did; a new device waits, like any stranger.
- successful sign-ins per user and per address (token buckets taken before the hash, given back
  when the password was wrong: failures are the lockouts' business).

A refused step gives back what the steps before it took, so a refusal costs only the refused key.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

from .ratelimit import Limiter, Lockout, NoLimit


@dataclass
class SignInLimits:
    by_pair: Lockout = field(default_factory=NoLimit)  # (username, address) and (username, device)
    by_address: Lockout = field(default_factory=NoLimit)
    by_user: Lockout = field(default_factory=NoLimit)  # the ceiling for unknown devices
    ok_by_user: Limiter = field(default_factory=NoLimit)
    ok_by_address: Limiter = field(default_factory=NoLimit)


Step = Callable[[], Awaitable[None]]


class Admission:
    """The keys one attempt took; settle it exactly once with `succeeded`, `failed` or `cancelled`."""

    def __init__(self) -> None:
        self._on_success: list[Step] = []
        self._on_failure: list[Step] = []
        self._undo: list[Step] = []

    def took(self, *, undo: Step, on_success: Step | None = None, on_failure: Step | None = None) -> None:
        self._undo.append(undo)
        self._on_success.append(on_success or _nothing)
        self._on_failure.append(on_failure or _nothing)

    async def succeeded(self) -> None:
        await _run(self._on_success)

    async def failed(self) -> None:
        await _run(self._on_failure)

    async def cancelled(self) -> None:
        """The attempt was never made (refused further on, or the server was busy): give everything back."""
        await _run(list(reversed(self._undo)))


async def _nothing() -> None:
    return None


async def _run(steps: list[Step]) -> None:
    for step in steps:
        await step()


class SignInGuard:
    def __init__(self, limits: SignInLimits | None = None) -> None:
        self.limits = limits or SignInLimits()

    async def admit(self, name: str | None, where: str | None, device: str | None) -> Admission:
        """Take every key of this attempt, or raise RateLimited having taken none.

        `name`: the valid username (None: not a possible username); `where`: the address key;
        `device`: the id of a valid device cookie for `name`.
        """
        limits = self.limits
        admission = Admission()
        try:
            if where is not None:
                await self._lock(admission, limits.by_address, where, forget_on_success=False)
            if name is not None:
                if device is not None:
                    await self._lock(admission, limits.by_pair, ('device', name, device), forget_on_success=True)
                else:
                    await self._lock(admission, limits.by_pair, ('address', name, where), forget_on_success=True)
                    await self._lock(admission, limits.by_user, name, forget_on_success=False)
            if where is not None:
                await self._bucket(admission, limits.ok_by_address, where)
            if name is not None:
                await self._bucket(admission, limits.ok_by_user, name)
        except BaseException:
            await admission.cancelled()
            raise
        return admission

    @staticmethod
    async def _lock(admission: Admission, lockout: Lockout, key: Hashable, *, forget_on_success: bool) -> None:
        await lockout.attempt(key)

        async def release() -> None:
            await lockout.release(key)

        async def forget() -> None:
            await lockout.succeeded(key)

        # the address and the ceiling keep earlier failures after a success: one good account (or the
        # owner signing in) must not wash out what a guesser did; only this attempt is taken back
        admission.took(undo=release, on_success=forget if forget_on_success else release)

    @staticmethod
    async def _bucket(admission: Admission, limiter: Limiter, key: Hashable) -> None:
        await limiter.check(key)

        async def refund() -> None:
            await limiter.refund(key)

        admission.took(undo=refund, on_failure=refund)
