"""A process that answers one question and exits (``newsdesk ask``): the collector's work that
such a process never needs, left out."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze_at_exit = False


@contextmanager
def one_shot() -> Iterator[None]:
    """A process that answers one question and exits: no cyclic garbage collection while it
    loads and answers, and none of the collections at its exit.

    Importing chromadb and spaCy and loading the models makes a great many objects that live to
    the end, so the collector's full passes while they are made find nothing to free; and at
    exit the interpreter collects every module's cycles before the OS takes the memory back
    anyway. Both are time a one-shot ``newsdesk ask`` spends on nothing: 0.3-0.7 s of the
    4.1-4.8 s of CPU it took on a loaded machine (bench/cold_ask.py; docs/performance.md).
    Collection resumes after the block (``ask`` run in-process, by tests). At exit the objects
    still alive are frozen (``gc.freeze``, an exit handler), so the interpreter's last
    collections skip them: the exit handlers still run, and objects outside reference cycles
    are still freed as their modules are torn down; objects in cycles are left to the OS without
    their finalizers, which nothing ``ask`` holds needs (it has written all it writes, the
    answer included, by then).
    """
    global _freeze_at_exit
    if not _freeze_at_exit:
        atexit.register(gc.freeze)
        _freeze_at_exit = True
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
