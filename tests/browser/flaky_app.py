"""`main.py` with a store that fails on demand: while the data dir holds a file `fail-<method>` saying N, the next
N calls of that store method raise RuntimeError (not a ChatError), as a database that went away would.

Run as a script by tests/browser/test_recovery.py: the real app, with chosen store calls made to fail.
"""
from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import main
from services import bootstrap as composition
from services.config import Settings
from services.store.sqlalchemy_store import SQLAlchemyStore


def fail_next(data_dir: Path, method: str, times: int = 1) -> None:
    """Make the next `times` calls of the store's `method` fail (used by the tests)."""
    (data_dir / f'fail-{method}').write_text(str(times))


def failures_left(data_dir: Path, method: str) -> bool:
    return (data_dir / f'fail-{method}').exists()


class FlakyStore:
    """Delegates everything to the real store; a method fails as often as its flag file says."""

    def __init__(self, inner: SQLAlchemyStore, data_dir: Path) -> None:
        self._inner = inner
        self._data_dir = data_dir

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(method):
            return method
        flag = self._data_dir / f'fail-{name}'

        async def call(*args: Any, **kwargs: Any) -> Any:
            if flag.exists():
                left = int(flag.read_text() or '1') - 1
                if left > 0:
                    flag.write_text(str(left))
                else:
                    flag.unlink()
                raise RuntimeError(f'the store failed in {name}, as the test asked')
            return await method(*args, **kwargs)

        wrapped: Callable[..., Any] = call
        return wrapped


def flaky_bootstrap(settings: Settings, **kwargs: Any) -> composition.Services:
    store = FlakyStore(SQLAlchemyStore(settings.db_url), settings.data_dir)
    return composition.bootstrap(settings, store=store, **kwargs)  # type: ignore[arg-type]


if __name__ in {'__main__', '__mp_main__'}:
    main.bootstrap = flaky_bootstrap
    main.main()
