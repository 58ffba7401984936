"""`main.py` with a store whose catch-up read (`after`) fails on demand: N times when the data dir holds a file
`fail-catchup` that says N.

Run as a script by tests/browser/test_recovery.py: the real app, with one store call made to fail on demand.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import main
from services import bootstrap as composition
from services.config import Settings
from services.models import Message
from services.store.sqlalchemy_store import SQLAlchemyStore

FLAG = 'fail-catchup'


class FlakyStore:
    """Delegates everything to the real store; `after` raises (not a ChatError) as often as the flag file says."""

    def __init__(self, inner: SQLAlchemyStore, flag: Path) -> None:
        self._inner = inner
        self._flag = flag

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def after(self, room_id: int, after_seq: int, limit: int) -> list[Message]:
        if self._flag.exists():
            left = int(self._flag.read_text() or '1') - 1
            if left > 0:
                self._flag.write_text(str(left))
            else:
                self._flag.unlink()
            raise RuntimeError('the store failed once, as the test asked')
        return await self._inner.after(room_id, after_seq, limit)


def flaky_bootstrap(settings: Settings, **kwargs: Any) -> composition.Services:
    store = FlakyStore(SQLAlchemyStore(settings.db_url), settings.data_dir / FLAG)
    return composition.bootstrap(settings, store=store, **kwargs)  # type: ignore[arg-type]


if __name__ in {'__main__', '__mp_main__'}:
    main.bootstrap = flaky_bootstrap
    main.main()
