"""What replicas of the bot remember together, kept in Redis (``NEWSDESK_REDIS_URL``).

Each class here has the interface of its in-process counterpart, so a front end cannot tell them
apart:

* :class:`RedisDedupe` (:class:`bot.common.dedupe.Dedupe`): ``claim`` is ``SET key 1 NX EX ttl``,
  one atomic step, so of two replicas claiming the same event exactly one wins.
* :class:`RedisRateLimiter` (:class:`bot.common.ratelimit.Limiter`): ``RateLimiter``'s sliding
  window, as a sorted set of request times per user, checked and updated by one Lua script
  (atomic) on the Redis server's clock (replicas' clocks may disagree).
* :class:`RedisCache` (:class:`bot.common.ttl.KeyValueCache`, string keys): values serialised to
  JSON under the key with an expiry; the local :class:`TTLCache` it extends keeps a copy.

**When Redis cannot be reached** (it went down, a network partition), nothing raises into the
bot: each object falls back to its in-process counterpart and logs a warning (at most one a
minute per kind). Dedupe therefore *fails open*: a question is never dropped because Redis is
away, but while it is away a Slack retry delivered to another replica may be answered twice.
Dropping questions silently is the worse failure for people asking; a duplicate answer is
visible and harmless. The rate limit is per replica meanwhile, and the Share button finds only
answers given by its own replica (the others answer the question again, as after a restart).

At start-up, on the other hand, :func:`connect` refuses an unreachable Redis with a message naming
``NEWSDESK_REDIS_URL``: replicas that silently started without their shared memory would answer
retries twice from the first minute.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from bot.common.dedupe import DEFAULT_TTL_SECONDS, InMemoryDedupe
from bot.common.ratelimit import WINDOW_SECONDS, RateLimiter
from bot.common.ttl import TTLCache

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("newsdesk.redis")

V = TypeVar("V")

KEY_PREFIX = "newsdesk:"
# A replica waits at most this long for Redis before it falls back (Slack wants its ack in 3 s).
SOCKET_TIMEOUT_SECONDS = 0.5
CONNECT_TIMEOUT_SECONDS = 0.5
_WARN_EVERY_SECONDS = 60.0

# KEYS[1] the user's sorted set; ARGV: limit, window (ms), a unique member.
# Returns -1 when the request is counted, else the milliseconds until one is allowed.
_SLIDING_WINDOW = """
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return math.max(window - (now - tonumber(oldest[2])), 0)
end
redis.call('ZADD', key, now, ARGV[3])
redis.call('PEXPIRE', key, window)
return -1
"""


class RedisUnavailable(RuntimeError):
    """Redis could not be reached at start-up; the message names the setting to check."""


def redact(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``, fit for a log or an error."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def connect(url: str) -> Redis:
    """A client for ``url``, checked with a PING; raises :class:`RedisUnavailable`."""
    try:
        import redis
    except ImportError:  # pragma: no cover - part of the dev install and the [redis] extra
        raise RedisUnavailable(
            "NEWSDESK_REDIS_URL is set but the redis client is not installed: "
            'pip install -e ".[redis]"'
        ) from None
    try:
        client = redis.Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            health_check_interval=30,
        )
        client.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise RedisUnavailable(
            f"Cannot reach Redis at {redact(url)} ({type(exc).__name__}: {exc}); "
            "check that it is running, or NEWSDESK_REDIS_URL"
        ) from None
    return client


class _Outage:
    """Logs that Redis is away, at most once a minute, and that it is back."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._last_warning = float("-inf")
        self._down = False
        self._lock = threading.Lock()

    def failed(self, exc: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            self._down = True
            if now - self._last_warning < _WARN_EVERY_SECONDS:
                return
            self._last_warning = now
        log.warning(
            "Redis is unreachable (%s: %s): %s in this process only until it is back",
            type(exc).__name__,
            exc,
            self.what,
        )

    def ok(self) -> None:
        if self._down:
            with self._lock:
                self._down = False
            log.warning("Redis is reachable again: %s shared again", self.what)


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.RedisError, OSError)


class RedisDedupe:
    """Keys claimed once across every replica within ``ttl`` seconds (see the module doc)."""

    def __init__(
        self,
        client: Redis,
        *,
        namespace: str = "seen",
        ttl: float = DEFAULT_TTL_SECONDS,
        fallback: InMemoryDedupe | None = None,
    ) -> None:
        self.client = client
        self.prefix = f"{KEY_PREFIX}{namespace}:"
        self.ttl = max(1, round(ttl))
        self.fallback = fallback or InMemoryDedupe(ttl=ttl)
        self._errors = _redis_errors()
        self._outage = _Outage("duplicate deliveries are recognised")

    def claim(self, key: str) -> bool:
        try:
            claimed = self.client.set(self.prefix + key, b"1", nx=True, ex=self.ttl)
        except self._errors as exc:
            self._outage.failed(exc)
            return self.fallback.claim(key)
        self._outage.ok()
        # Also noted locally, so that a repeat during a later outage is still recognised here.
        self.fallback.claim(key)
        return bool(claimed)

    def discard(self, key: str) -> None:
        self.fallback.discard(key)
        try:
            self.client.delete(self.prefix + key)
        except self._errors as exc:
            self._outage.failed(exc)

    def __contains__(self, key: str) -> bool:
        try:
            found = bool(self.client.exists(self.prefix + key))
        except self._errors as exc:
            self._outage.failed(exc)
            return key in self.fallback
        self._outage.ok()
        return found


class RedisRateLimiter(RateLimiter):
    """:class:`RateLimiter`'s sliding window, shared: at most ``per_minute`` questions per user in
    any 60 seconds across every replica. The in-process window it extends takes over while Redis
    is away."""

    def __init__(
        self,
        client: Redis,
        per_minute: int,
        *,
        namespace: str = "rate",
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(per_minute, clock=clock, window=window)
        self.client = client
        self.prefix = f"{KEY_PREFIX}{namespace}:"
        self._script = client.register_script(_SLIDING_WINDOW)
        self._errors = _redis_errors()
        self._outage = _Outage("rate limits are counted")

    def acquire(self, user: str) -> float | None:
        if self.per_minute <= 0:
            return None
        try:
            wait_ms = int(
                self._script(
                    keys=[self.prefix + user],
                    args=[self.per_minute, int(self.window * 1000), uuid.uuid4().hex],
                )
            )
        except self._errors as exc:
            self._outage.failed(exc)
            return super().acquire(user)
        self._outage.ok()
        return None if wait_ms < 0 else wait_ms / 1000.0


class RedisCache(TTLCache[str, V]):
    """A :class:`bot.common.ttl.KeyValueCache` every replica sees: ``put`` writes the value (as
    JSON, through ``dumps``) to Redis under its string key with the same expiry, ``get`` reads it
    back through ``loads``. The local entries of the :class:`TTLCache` it extends remain, for
    this replica's own values while Redis is away."""

    def __init__(
        self,
        client: Redis,
        *,
        namespace: str,
        max_items: int,
        ttl: float,
        dumps: Callable[[V], Any],
        loads: Callable[[Any], V],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(max_items, ttl, clock)
        self.client = client
        self.prefix = f"{KEY_PREFIX}{namespace}:"
        self._dumps = dumps
        self._loads = loads
        self._errors = _redis_errors()
        self._outage = _Outage(f"{namespace} entries are kept")

    def put(self, key: str, value: V) -> None:
        super().put(key, value)
        payload = json.dumps(self._dumps(value), ensure_ascii=False, separators=(",", ":"))
        try:
            ttl = max(1, round(self.ttl))
            self.client.set(self.prefix + key, payload.encode(), ex=ttl)
        except self._errors as exc:
            self._outage.failed(exc)
            return
        self._outage.ok()

    def get(self, key: str) -> V | None:
        try:
            raw = self.client.get(self.prefix + key)
        except self._errors as exc:
            self._outage.failed(exc)
            return super().get(key)
        self._outage.ok()
        if raw is None:
            return None
        try:
            return self._loads(json.loads(raw))
        except (ValueError, TypeError, KeyError) as exc:
            # Written by another version, or damaged: as good as absent, and said once.
            log.warning("Ignoring an unreadable entry %s%r: %s", self.prefix, key, exc)
            return None
