"""Handing the C heap's free pages back to the system between ingest steps.

Embedding a step allocates and frees tensors of many sizes (a batch is padded to its longest
text). glibc keeps what was freed inside its heaps for reuse, and the pieces rarely fit the next
step's shapes, so a long ingest's RSS climbs with the number of steps although the live data
stays the same size (``bench/memory_trace.py`` shows the climb and what ``malloc_trim`` gives
back; docs/performance.md has the figures). ``malloc_trim(0)`` returns the free pages of every
heap to the system; it costs milliseconds, next to an embedding step's seconds.

Worse, glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MB), so
after the first batch torch's tensors come from the heap too, where they leave holes between
steps and within one. ``keep_large_blocks_out_of_the_heap`` fixes the threshold at glibc's own
default (128 KiB): a tensor is mapped and unmapped whole, and freeing it returns it at once.
Measured (bench/heap_variants.py; a 768-text encode in 3 steps of 256): peak
RSS 819 MB by default, 773 with a trim after each step, 673 with the fixed threshold (468 after
the model loads), at the same speed within the noise of a loaded machine.

Elsewhere than glibc (macOS, musl) it does nothing: those allocators return memory themselves.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's default, kept from rising


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


@functools.cache
def keep_large_blocks_out_of_the_heap() -> bool:
    """Fix glibc's mmap threshold (once per process); whether it could be asked."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    trim = getattr(_libc(), "malloc_trim", None)  # glibc only
    if trim is None:
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
