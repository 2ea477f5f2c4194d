"""The Redis backends against a real ``redis-server``: atomic claims, a shared sliding window,
answers that survive the trip through JSON, and what happens when Redis is away."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from bot.common.redis_backends import (
    RedisCache,
    RedisDedupe,
    RedisRateLimiter,
    RedisUnavailable,
    connect,
    redact,
)
from bot.common.shared import build_shared_state
from bot.settings import Settings
from bot.types import Answer, Citation, Dropped
from retrieval.types import Hit
from tests.redis_server import free_port, redis_server

ANSWER = Answer(
    question="What did Johnson say?",
    text="He warned Russia [1].",
    status="answered",
    citations=(Citation(1, "a/1", "G7", url="https://x.test/a", quote="warned", start=3, end=9),),
    hits=(Hit("a/1#0", "a/1", "G7", "He warned Russia.", 0.5, dense_score=0.7),),
    prompt_id="p1",
    generator="extractive",
    timings_ms={"total": 12.5},
    dropped=(Dropped("x", "unsupported"),),
    notes=("a note",),
)


def test_an_answer_survives_the_round_trip_through_json(redis_url: str) -> None:
    one = RedisCache(
        connect(redis_url),
        namespace="answer",
        max_items=10,
        ttl=60,
        dumps=Answer.to_dict,
        loads=Answer.from_dict,
    )
    two = RedisCache(
        connect(redis_url),
        namespace="answer",
        max_items=10,
        ttl=60,
        dumps=Answer.to_dict,
        loads=Answer.from_dict,
    )
    one.put("id1", ANSWER)
    assert two.get("id1") == ANSWER
    assert two.get("missing") is None
    # A damaged entry (another version wrote it) reads as absent, not as an exception.
    connect(redis_url).set("newsdesk:answer:id2", b'{"question": 1}')
    assert two.get("id2") is None
    assert connect(redis_url).ttl("newsdesk:answer:id1") > 50


def test_claims_are_atomic_across_clients_and_expire(redis_url: str) -> None:
    replicas = [RedisDedupe(connect(redis_url), ttl=1) for _ in range(4)]
    wins: list[bool] = []
    barrier = threading.Barrier(16)

    def claim(i: int) -> None:
        barrier.wait()
        wins.append(replicas[i % 4].claim("event\x1fEv1"))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 15 + [True]
    assert "event\x1fEv1" in replicas[3]
    replicas[2].discard("event\x1fEv1")
    assert "event\x1fEv1" not in replicas[0]
    assert replicas[1].claim("event\x1fEv1")
    time.sleep(1.2)
    assert replicas[0].claim("event\x1fEv1"), "a claim expires after its TTL"


def test_the_sliding_window_is_shared_and_says_how_long_to_wait(redis_url: str) -> None:
    one = RedisRateLimiter(connect(redis_url), 3, window=1.0)
    two = RedisRateLimiter(connect(redis_url), 3, window=1.0)
    assert [one.acquire("U1"), two.acquire("U1"), one.acquire("U1")] == [None, None, None]
    wait = two.acquire("U1")
    assert wait is not None and 0 < wait <= 1.0
    assert one.acquire("U2") is None  # per user
    time.sleep(wait + 0.05)
    assert two.acquire("U1") is None  # the window slid
    assert "limit of 3 questions a minute" in one.message(5)


def test_an_unreachable_redis_is_named_at_start_up_with_the_password_hidden() -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailable) as caught:
        connect(url)
    message = str(caught.value)
    assert "NEWSDESK_REDIS_URL" in message and "hunter2" not in message
    assert f"redis://:***@127.0.0.1:{url.split(':')[-1].split('/')[0]}/0" in message
    assert redact("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(RedisUnavailable):
        build_shared_state(Settings(_env_file=None, redis_url=url))  # type: ignore[call-arg]
    local = build_shared_state(Settings(_env_file=None))  # type: ignore[call-arg]
    assert local.redis is None and local.where == "this process"


def test_redis_going_away_falls_back_to_this_process_and_comes_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Dedupe fails open (nothing is lost; only this replica's memory dedupes meanwhile)."""
    with redis_server(tmp_path) as url:
        seen = RedisDedupe(connect(url))
        limiter = RedisRateLimiter(connect(url), 2)
        cache = RedisCache(
            connect(url),
            namespace="answer",
            max_items=10,
            ttl=60,
            dumps=Answer.to_dict,
            loads=Answer.from_dict,
        )
        assert seen.claim("before")
        cache.put("a1", ANSWER)
        assert limiter.acquire("U1") is None
    # The server is stopped now.
    with caplog.at_level(logging.WARNING, logger="newsdesk.redis"):
        started = time.monotonic()
        assert not seen.claim("before"), "still known here"
        assert seen.claim("during") and not seen.claim("during")
        assert "during" in seen
        assert cache.get("a1") == ANSWER  # this replica's own copy
        assert limiter.acquire("U1") is None
        assert limiter.acquire("U1") is None
        assert limiter.acquire("U1") is not None  # the local window counts meanwhile
        assert time.monotonic() - started < 5
    warnings = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert any("duplicate deliveries" in w for w in warnings), warnings
