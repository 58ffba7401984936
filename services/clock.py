"""The clock the services read: seconds as a float, `time.monotonic` in production, a fake one in tests."""
from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]
