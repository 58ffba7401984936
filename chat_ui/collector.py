"""The garbage collector of the server process, tuned for many long-lived pages (bench/README.md, "GC").

Measured with `python -m bench --quick` at N = 200 open pages: CPython's full (generation 2) collections
ran every ~5 s and each stopped the event loop for 230-300 ms while it walked ~400,000 objects, which was
the whole p99 of the fan-out (p50 21 ms, p99 284 ms). Two changes took p99 to 45 ms:

- `gc.freeze()` once the server has started: the ~180,000 objects of the imported modules, classes and
  the services live for the whole process, so full collections stop walking them;
- a first-generation threshold of 10,000 allocations instead of 700: a broadcast's short-lived objects
  (packets, coroutines, frames of 200 sends) die before a collection sees them, instead of surviving
  into the older generations and making full collections frequent (23 in a run, 150 ms each, with the
  freeze alone; 8 with both). A young collection then takes a few milliseconds every second or two.
  20,000 was as fast but held garbage longer: 300 page loads grew the process by 35 MiB instead of 23
  (tests/hostile/test_connections.py allows 30).
"""
from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)
THRESHOLDS = (10_000, 10, 10)


def tune() -> None:
    """For the server process only (main.py): tests keep the interpreter's defaults."""
    gc.set_threshold(*THRESHOLDS)


def freeze_startup() -> None:
    """Move what exists once the server has started into the permanent generation (never collected)."""
    gc.collect()
    gc.freeze()
    log.debug('gc: %d objects frozen after start-up', gc.get_freeze_count())
