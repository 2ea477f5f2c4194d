"""Remembering what was already handled, for a while: requests arrive more than once.

Slack redelivers an event (``X-Slack-Retry-Num``) with the same ``event_id``; a mention in a
channel the bot also reads arrives twice (``app_mention`` and ``message``) with the same channel
and ``ts``; a slash command or a button click can be replayed (a double click, a proxy retry).
Each is caught by claiming a key before doing the work: only the first claim wins.

:class:`Dedupe` is the whole interface a front end relies on. :class:`InMemoryDedupe` serves one
process; several replicas behind a load balancer need a shared one (Redis ``SET key 1 NX EX
ttl`` is exactly ``claim``), passed to ``create_app(..., dedupe=...)``. Keys are strings, built
with :func:`dedupe_key`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol, runtime_checkable

# Slack's last retry comes about 5 minutes after the first delivery; keep keys a bit longer.
DEFAULT_TTL_SECONDS = 15 * 60
DEFAULT_MAX_KEYS = 50_000


@runtime_checkable
class Dedupe(Protocol):
    """Keys claimed once within a time to live."""

    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed within the TTL; False for a repeat."""
        ...

    def discard(self, key: str) -> None:
        """Forget ``key`` (the work it guarded did not happen and may be tried again)."""
        ...

    def __contains__(self, key: str) -> bool: ...


def dedupe_key(kind: str, *parts: object) -> str:
    """``kind`` and ``parts`` as one string key (``\x1f`` cannot occur in Slack ids)."""
    return "\x1f".join([kind, *(str(p) for p in parts)])


class InMemoryDedupe:
    """A thread-safe set of keys that forgets each key ``ttl`` seconds after it was claimed."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, key: Hashable) -> bool:
        """True the first time ``key`` is seen within the TTL; False for a repeat."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if key in self._seen:
                return False
            self._seen[key] = now
            # Bounded memory even under a flood of distinct keys: forget the oldest first.
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
            return True

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._seen.pop(key, None)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._seen

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def _expire(self, now: float) -> None:
        # Keys are kept in claim order, so the expired ones are at the front.
        while self._seen:
            key, claimed = next(iter(self._seen.items()))
            if now - claimed < self.ttl:
                break
            del self._seen[key]
