"""A small thread-safe map whose entries expire: least recently written first when full, and
after ``ttl`` seconds in any case. Shared by every front end that remembers recent things."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
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
