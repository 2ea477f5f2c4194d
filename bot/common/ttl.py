"""Remembering recent things by key, for a while: a small protocol and its in-memory map.

:class:`KeyValueCache` is the whole interface a front end relies on (``get`` and ``put``, keys
are strings). :class:`TTLCache` serves one process; replicas sharing one store (Redis ``SET key
value EX ttl`` / ``GET key``, with the values serialised) plug in through the same two methods.
Values that are gone (expired, evicted, or another replica's store restarted) read as None, and
every caller already treats None as "not remembered".
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar, runtime_checkable

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@runtime_checkable
class KeyValueCache(Protocol[V]):
    """Values by string key, each kept for a while (how long is the implementation's choice)."""

    def get(self, key: str) -> V | None:
        """The value put under ``key``, or None when there is none (or no longer)."""
        ...

    def put(self, key: str, value: V) -> None: ...


class TTLCache(Generic[K, V]):
    """A thread-safe map whose entries expire: least recently written first when full, and
    after ``ttl`` seconds in any case. With string keys it is a :class:`KeyValueCache`."""

    def __init__(
        self,
        max_items: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_items = max_items
        self.ttl = ttl
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def get(self, key: K) -> V | None:
        """The value put under ``key``, or None when there is none or it has expired."""
        with self._lock:
            item = self._items.get(key)
            if item is None or self._clock() - item[0] > self.ttl:
                return None
            return item[1]
