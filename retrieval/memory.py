"""Handing the C heap's free pages back to the system between ingest steps.

Embedding a step allocates and frees tensors of many sizes (a batch is padded to its longest
text). glibc keeps what was freed inside its heaps for reuse, and the pieces rarely fit the next
step's shapes, so a long ingest's RSS climbs with the number of steps although the live data
stays the same size (``bench/memory_trace.py`` shows the climb and what ``malloc_trim`` gives
back; docs/performance.md has the figures). ``malloc_trim(0)`` returns the free pages of every
heap to the system; it costs milliseconds, next to an embedding step's seconds.

Elsewhere than glibc (macOS, musl) it does nothing: those allocators return memory themselves.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # no libc to open, or not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system; whether anything could be asked."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
