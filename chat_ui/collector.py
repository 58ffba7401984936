"""The garbage collector of the server process, tuned for many long-lived pages (bench/README.md, "GC").

Measured with `python -m bench --quick` at N = 200 open pages: CPython's full (generation 2) collections
ran every ~5 s and each stopped the event loop for 230-300 ms while it walked ~400,000 objects, which was
the whole p99 of the fan-out (p50 21 ms, p99 284 ms). Two changes took p99 to 47 ms:

- `gc.freeze()` once the server has started: the ~180,000 objects of the imported modules, classes and
  the services live for the whole process, so full collections stop walking them;
- a first-generation threshold of 20,000 allocations instead of 700: a broadcast's short-lived objects
  (packets, coroutines, frames of 200 sends) die before a collection sees them, instead of surviving
  into the older generations and making full collections frequent. A young collection then takes a few
  milliseconds every second or two.
"""
from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)
THRESHOLDS = (20_000, 20, 20)


def tune() -> None:
    """For the server process only (main.py): tests keep the interpreter's defaults."""
    gc.set_threshold(*THRESHOLDS)


def freeze_startup() -> None:
    """Move what exists once the server has started into the permanent generation (never collected)."""
    gc.collect()
    gc.freeze()
    log.debug('gc: %d objects frozen after start-up', gc.get_freeze_count())
