"""A replica's reclaimer answering Slack jobs left in Redis by a replica that died (in process:
a real Bolt app over HTTP, a real ``redis-server``, the fake Slack Web API)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import redis

from bot.common.handoff import STREAM
from bot.slack.service import TOO_LATE
from tests.fakes.slack_api import BOT_USER_ID
from tests.integration.slack_bot import CHANNEL, QUESTION, USER, Bot, Core

StartBot = Callable[..., Bot]
RECLAIM = 0.3


def left_by_a_dead_replica(url: str, kind: str, key: str, data: object, **extra: object) -> str:
    """A job written as a replica that then died would have left it; its entry id."""
    client = redis.Redis.from_url(url)
    try:
        if not client.exists(STREAM):
            client.xgroup_create(STREAM, "newsdesk", id="0", mkstream=True)
        body = {"v": 1, "kind": kind, "key": key, "data": data, **extra}
        entry = client.xadd(STREAM, {"job": json.dumps(body)}).decode()
        client.xclaim(STREAM, "newsdesk", "dead", 0, [entry], force=True, justid=True)
        return str(entry)
    finally:
        client.close()


def pending(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.xpending(STREAM, "newsdesk")["pending"])
    finally:
        client.close()


def event_job(ts: str) -> dict[str, object]:
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER_ID}> {QUESTION}",
        "ts": ts,
        "channel": CHANNEL,
    }
    return {"event": event, "mention": True, "bot_user_id": BOT_USER_ID, "bot_id": "B0BOT"}


def test_jobs_of_a_dead_replica_are_answered_and_bad_ones_discarded(
    start_bot: StartBot, redis_url: str
) -> None:
    ts = "1700000000.000100"
    left_by_a_dead_replica(redis_url, "event", f"message:{CHANNEL}:{ts}", event_job(ts))
    # Damaged: the right envelope around data of the wrong shape, or a kind nobody knows.
    left_by_a_dead_replica(redis_url, "answer", "k1", {"channel": 5, "ts": ts})
    left_by_a_dead_replica(redis_url, "answer", "k2", {"channel": CHANNEL})
    left_by_a_dead_replica(redis_url, "event", "k3", {"event": "x", "mention": "yes"})
    left_by_a_dead_replica(redis_url, "telepathy", "k4", {})
    bot = start_bot(Core(), redis_url=redis_url, handoff_reclaim_seconds=RECLAIM)
    bot.slack.wait_for_calls("chat.postMessage", timeout=20)
    bot.settle(1.0)
    [post] = bot.slack.posted(CHANNEL)
    assert post.body.get("thread_ts") == ts
    assert len(bot.core.calls) == 1
    assert pending(redis_url) == 0
    # Taken over once: a later look finds nothing more to answer.
    time.sleep(3 * RECLAIM)
    assert len(bot.slack.posted(CHANNEL)) == 1


def test_a_job_older_than_the_maximum_age_gets_an_apology_not_an_answer(
    start_bot: StartBot, redis_url: str
) -> None:
    ts = "1700000000.000200"
    data = {
        "channel": CHANNEL,
        "ts": ts,
        "question": QUESTION,
        "reply_ts": ts,
        "user": USER,
    }
    # Received an hour ago (on Redis's clock, as the entry ids are).
    hour_ago = int(time.time() * 1000) - 3600_000
    left_by_a_dead_replica(
        redis_url, "answer", f"message:{CHANNEL}:{ts}", data, received_ms=hour_ago
    )
    bot = start_bot(
        Core(), redis_url=redis_url, handoff_reclaim_seconds=RECLAIM, handoff_max_age_seconds=600
    )
    bot.slack.wait_for_calls("chat.postMessage", timeout=20)
    bot.settle(0.5)
    [post] = bot.slack.posted(CHANNEL)
    assert post.body.get("thread_ts") == ts and TOO_LATE in post.all_text()
    assert bot.core.calls == []
    assert pending(redis_url) == 0


def test_a_question_answered_before_its_replica_died_is_not_posted_again(
    start_bot: StartBot, redis_url: str
) -> None:
    ts = "1700000000.000300"
    key = f"message:{CHANNEL}:{ts}"
    left_by_a_dead_replica(redis_url, "event", key, event_job(ts))
    client = redis.Redis.from_url(redis_url)
    client.set("newsdesk:handoff:posted:" + key, b"dead")  # posted, then died before the XACK
    client.close()
    bot = start_bot(Core(), redis_url=redis_url, handoff_reclaim_seconds=RECLAIM)
    deadline = time.monotonic() + 10
    while pending(redis_url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pending(redis_url) == 0
    bot.settle(0.5)
    assert bot.slack.posted(CHANNEL) == [] and bot.core.calls == []
