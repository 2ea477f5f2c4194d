"""A replica's reclaimer answering Slack jobs left in Redis by a replica that died (in process:
a real Bolt app over HTTP, a real ``redis-server``, the fake Slack Web API)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import redis

from bot.common.handoff import POSTED, STREAM
from bot.slack.listeners.messages import answer_key
from bot.slack.service import TOO_LATE
from tests.fakes.slack_api import BOT_USER_ID, Call, FakeSlack
from tests.integration.slack_bot import ANSWER_TEXT, CHANNEL, QUESTION, USER, Bot, Core

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


def mark_posted(url: str, key: str) -> None:
    """The mark a replica sets just before it posts the answer to ``key``."""
    client = redis.Redis.from_url(url)
    try:
        client.set(POSTED + key, b"dead")
    finally:
        client.close()


def wait_until_finished(url: str) -> None:
    deadline = time.monotonic() + 10
    while pending(url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pending(url) == 0


def reply_to(call: Call) -> object:
    metadata = call.body.get("metadata")
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    return (metadata or {}).get("event_payload", {}).get("reply_to")


def test_a_question_answered_before_its_replica_died_is_not_posted_again(
    start_bot: StartBot, slack: FakeSlack, redis_url: str
) -> None:
    ts = "1700000000.000300"
    key = answer_key(CHANNEL, ts)
    left_by_a_dead_replica(redis_url, "event", key, event_job(ts))
    mark_posted(redis_url, key)
    # Posted, then died before the XACK: the answer is in the thread, naming its question.
    slack.add_message(CHANNEL, f"<@{BOT_USER_ID}> {QUESTION}", ts=ts)
    payload = {"answer_id": "a1", "part": 1, "parts": 1, "reply_to": key}
    slack.add_message(
        CHANNEL,
        ANSWER_TEXT,
        user=BOT_USER_ID,
        bot_id="B0BOT",
        thread_ts=ts,
        metadata={"event_type": "newsdesk_answer", "event_payload": payload},
    )
    bot = start_bot(Core(), redis_url=redis_url, handoff_reclaim_seconds=RECLAIM)
    wait_until_finished(redis_url)
    bot.settle(0.5)
    assert bot.slack.posted(CHANNEL) == [] and bot.core.calls == []


@pytest.mark.parametrize("where", ["thread", "dm"])
def test_a_question_whose_replica_died_between_marking_and_posting_is_answered_once(
    start_bot: StartBot, slack: FakeSlack, redis_url: str, where: str
) -> None:
    ts = "1700000000.000400"
    channel = CHANNEL if where == "thread" else "D0000001"
    key = answer_key(channel, ts)
    data = event_job(ts)
    if where == "dm":
        data["event"] = {
            "type": "message",
            "channel_type": "im",
            "user": USER,
            "text": QUESTION,
            "ts": ts,
            "channel": channel,
        }
        data["mention"] = False
    left_by_a_dead_replica(redis_url, "event", key, data)
    mark_posted(redis_url, key)
    slack.add_message(channel, QUESTION, ts=ts)
    # An answer to another question in the same place does not count as this one's.
    other = {"answer_id": "a0", "part": 1, "parts": 1, "reply_to": answer_key(channel, "1.0")}
    slack.add_message(
        channel,
        ANSWER_TEXT,
        user=BOT_USER_ID,
        bot_id="B0BOT",
        ts="1700000000.000401",  # after the question: a DM's history is read from it on
        thread_ts=ts if where == "thread" else None,
        metadata={"event_type": "newsdesk_answer", "event_payload": other},
    )
    # Nor does another app's message that names this question: anyone can set metadata.
    forged = {"answer_id": "x", "part": 1, "parts": 1, "reply_to": key}
    slack.add_message(
        channel,
        "Already answered, nothing to see.",
        user="UOTHERAPP",
        bot_id="BOTHERAPP",
        ts="1700000000.000402",
        thread_ts=ts if where == "thread" else None,
        metadata={"event_type": "newsdesk_answer", "event_payload": forged},
    )
    bot = start_bot(Core(), redis_url=redis_url, handoff_reclaim_seconds=RECLAIM)
    bot.slack.wait_for_calls("chat.postMessage", timeout=20)
    wait_until_finished(redis_url)
    time.sleep(3 * RECLAIM)
    [post] = bot.slack.posted(channel)
    assert post.body.get("thread_ts") == (ts if where == "thread" else None)
    assert reply_to(post) == key and len(bot.core.calls) == 1
