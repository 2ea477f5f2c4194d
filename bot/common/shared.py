"""Where a front end keeps what it must remember: in its own process, or shared by replicas.

:func:`build_shared_state` reads ``NEWSDESK_REDIS_URL``: unset, every object is the in-process
one (one process serves everything); set, every object keeps its state in that Redis
(``bot.common.redis_backends``), so that any replica recognises a retry, counts a user's
questions and finds an answer that another replica gave.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from bot.common.dedupe import DEFAULT_TTL_SECONDS, Dedupe, InMemoryDedupe
from bot.common.handoff import Handoff, LocalHandoff
from bot.common.ratelimit import Limiter, RateLimiter
from bot.common.ttl import KeyValueCache, TTLCache

if TYPE_CHECKING:
    from redis import Redis

    from bot.settings import Settings

V = TypeVar("V")


@dataclass
class SharedState:
    """A factory of the remembering objects, all in this process or all in one Redis."""

    redis: Redis | None = None
    clock: Callable[[], float] = time.monotonic

    @property
    def where(self) -> str:
        if self.redis is None:
            return "this process"
        from bot.common.redis_backends import redact

        kwargs = self.redis.connection_pool.connection_kwargs
        return redact(f"redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}")

    def dedupe(self, namespace: str = "seen", ttl: float = DEFAULT_TTL_SECONDS) -> Dedupe:
        local = InMemoryDedupe(ttl=ttl, clock=self.clock)
        if self.redis is None:
            return local
        from bot.common.redis_backends import RedisDedupe

        return RedisDedupe(self.redis, namespace=namespace, ttl=ttl, fallback=local)

    def rate_limiter(self, per_minute: int, namespace: str = "rate") -> Limiter:
        if self.redis is None or per_minute <= 0:
            return RateLimiter(per_minute, clock=self.clock)
        from bot.common.redis_backends import RedisRateLimiter

        return RedisRateLimiter(self.redis, per_minute, namespace=namespace, clock=self.clock)

    def cache(
        self,
        namespace: str,
        *,
        max_items: int,
        ttl: float,
        dumps: Callable[[V], Any],
        loads: Callable[[Any], V],
    ) -> KeyValueCache[V]:
        """An expiring map by string key; shared values go through ``dumps`` / ``loads``
        (JSON-able)."""
        if self.redis is None:
            return TTLCache(max_items, ttl, self.clock)
        from bot.common.redis_backends import RedisCache

        return RedisCache(
            self.redis,
            namespace=namespace,
            max_items=max_items,
            ttl=ttl,
            dumps=dumps,
            loads=loads,
            clock=self.clock,
        )

    def handoff(self, reclaim_seconds: float = 30.0, max_age_seconds: float = 600.0) -> Handoff:
        """Where acknowledged questions wait to be answered: nowhere but this process, or a
        Redis Stream other replicas take them over from (:mod:`bot.common.handoff`)."""
        if self.redis is None:
            return LocalHandoff()
        from bot.common.handoff import RedisHandoff

        return RedisHandoff(
            self.redis, reclaim_seconds=reclaim_seconds, max_age_seconds=max_age_seconds
        )

    def close(self) -> None:
        if self.redis is not None:
            self.redis.close()


def build_shared_state(
    settings: Settings, clock: Callable[[], float] = time.monotonic
) -> SharedState:
    """In-process state, or Redis when ``NEWSDESK_REDIS_URL`` is set (raises
    :class:`bot.common.redis_backends.RedisUnavailable` when it cannot be reached)."""
    url = settings.slack.redis_url
    if url is None or not url.get_secret_value().strip():
        return SharedState(None, clock)
    from bot.common.redis_backends import connect

    return SharedState(connect(url.get_secret_value().strip()), clock)
