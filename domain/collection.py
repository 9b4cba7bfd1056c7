"""Pausing Python's cycle collector while a batch is built, process-wide and thread-safe.

A batch of decoded events and held rows is tens of thousands of young objects that all
survive until the batch commits. Each time the collector's young generation fills it
traverses all of them, and then again as they age, while none of them is garbage: in a
catch-up that was 40 % of the time (``bench.catch_up``). Reference counting still frees
what a batch drops; only cycles wait, and they are collected when the last pause ends.
The pause is counted, so that two followers in threads do not end each other's, and it
leaves a collector that was already off (``gc.disable()`` by the host) as it found it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()
