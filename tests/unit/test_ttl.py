"""The shared expiring map: the oldest write goes first when full, and anything after its TTL."""

from __future__ import annotations

from bot.common.ttl import TTLCache


def test_entries_expire_and_the_least_recently_written_goes_first() -> None:
    now = [0.0]
    cache: TTLCache[str, int] = TTLCache(2, 10.0, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 3)  # rewriting "a" makes "b" the oldest
    cache.put("c", 4)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (3, None, 4)
    now[0] = 10.5
    assert cache.get("a") is None and cache.get("c") is None
