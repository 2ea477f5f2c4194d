"""A per-user limit on questions a minute, so one person cannot monopolise the bot.

:class:`Limiter` is the whole interface a front end relies on; :class:`RateLimiter` serves one
process. Replicas share one count per person through the same two methods (Redis: a sorted set
per user, or ``INCR`` with ``EXPIRE`` on a per-minute key).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

WINDOW_SECONDS = 60.0


@runtime_checkable
class Limiter(Protocol):
    """Questions counted per person; a refusal says how long to wait."""

    def acquire(self, user: str) -> float | None:
        """Count a question from ``user``; None if allowed, else seconds until one is allowed."""
        ...

    def message(self, wait: float) -> str:
        """The sentence telling the person to wait ``wait`` seconds."""
        ...


class RateLimiter:
    """Sliding window: at most ``per_minute`` accepted questions per user in any 60 seconds.

    ``per_minute = 0`` switches the limit off.
    """

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self.per_minute = per_minute
        self.window = window
        self._clock = clock
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, user: str) -> float | None:
        """Count a question from ``user``; None if allowed, else seconds until one is allowed."""
        if self.per_minute <= 0:
            return None
        now = self._clock()
        with self._lock:
            times = self._times.setdefault(user, deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(self.window - (now - times[0]), 0.0)
            times.append(now)
            # Drop idle users so that the table does not grow without bound.
            if len(self._times) > 10_000:
                for name in [u for u, t in self._times.items() if not t]:
                    del self._times[name]
            return None

    def message(self, wait: float) -> str:
        seconds = max(1, math.ceil(wait))
        unit = "second" if seconds == 1 else "seconds"
        return (
            f"You've reached the limit of {self.per_minute} questions a minute. "
            f"Please ask again in {seconds} {unit}."
        )
