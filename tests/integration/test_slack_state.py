"""Two replicas of the bot sharing their state through ``create_app``'s arguments.

Each replica is the real app on its own HTTP endpoint against the same fake Slack; the shared
objects are the in-memory implementations of the protocols a Redis-backed one will implement
(``Dedupe``, ``Limiter``, ``KeyValueCache``). Whatever one replica remembers, the other must
act on: that is what the seam is for.
"""

from __future__ import annotations

from typing import Any

from bot.common.dedupe import Dedupe, InMemoryDedupe
from bot.common.ratelimit import Limiter, RateLimiter
from bot.common.ttl import KeyValueCache, TTLCache
from bot.slack.render import ACTION_SHARE
from tests.fakes.slack_api import BOT_USER_ID, block_actions_payload, find_button
from tests.integration.slack_bot import CHANNEL, QUESTION, USER, Core
from tests.integration.test_slack_edits import EDITED, edit_event


def shared_state(per_minute: int = 0) -> dict[str, Any]:
    return {
        "dedupe": InMemoryDedupe(),
        "limiter": RateLimiter(per_minute),
        "answers": TTLCache(100, 3600),
        "answered": TTLCache(100, 3600),
        "names": TTLCache(100, 3600),
    }


def test_the_in_memory_parts_are_what_the_protocols_describe() -> None:
    state = shared_state()
    assert isinstance(state["dedupe"], Dedupe)
    assert isinstance(state["limiter"], Limiter)
    assert isinstance(state["answers"], KeyValueCache)
    assert isinstance(state["answered"], KeyValueCache)
    assert isinstance(state["names"], KeyValueCache)


def test_an_answer_given_by_one_replica_is_shared_by_the_other(start_bot) -> None:
    state = shared_state()
    first, second = start_bot(state=state), start_bot(Core(), state=state)
    first.send.command(QUESTION, response_url=first.slack.response_url("ask"))
    [private] = first.slack.wait_for_calls("response_url")
    share = find_button(private.blocks, ACTION_SHARE)
    payload = block_actions_payload(action=share, response_url=first.slack.response_url("click"))
    assert second.send.action(payload).status == 200
    [public] = second.slack.wait_for_calls("chat.postMessage")
    assert public.body["channel"] == CHANNEL
    assert second.core.calls == []  # found in the shared answers, not answered again


def test_without_shared_answers_the_other_replica_must_answer_again(start_bot) -> None:
    # The control for the test above: each replica with its own memory.
    first, second = start_bot(), start_bot(Core())
    first.send.command(QUESTION, response_url=first.slack.response_url("ask"))
    [private] = first.slack.wait_for_calls("response_url")
    share = find_button(private.blocks, ACTION_SHARE)
    second.send.action(block_actions_payload(action=share, response_url=first.slack.response_url()))
    second.slack.wait_for_calls("chat.postMessage")
    assert [q for q, _ in second.core.calls] == [QUESTION]


def test_an_event_and_a_command_replayed_to_the_other_replica_are_handled_once(
    start_bot,
) -> None:
    state = shared_state()
    first, second = start_bot(state=state), start_bot(Core(), state=state)
    ts = first.slack.next_ts()
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER_ID}> {QUESTION}",
        "ts": ts,
        "channel": CHANNEL,
    }
    first.send.event(event, event_id="Ev0SHARED01")
    second.send.event(event, event_id="Ev0SHARED01", retry_num=1)
    first.slack.wait_for_calls("chat.postMessage")
    fields = {"trigger_id": "1337.42.shared"}
    first.send.command(QUESTION, response_url=first.slack.response_url("a"), **fields)
    replay = second.send.command(QUESTION, response_url=first.slack.response_url("b"), **fields)
    assert replay.status == 200
    first.slack.wait_for_calls("response_url")
    first.settle()
    assert len(first.slack.calls_to("chat.postMessage")) == 1
    assert [c.path for c in first.slack.calls_to("response_url")] == ["/response/a"]
    assert len(first.core.calls) + len(second.core.calls) == 2  # the mention and one /ask


def test_the_rate_limit_counts_questions_on_every_replica(start_bot) -> None:
    state = shared_state(per_minute=1)
    first, second = start_bot(state=state), start_bot(Core(), state=state)
    first.mention()
    first.slack.wait_for_calls("chat.postMessage")
    second.mention()
    [note] = second.slack.wait_for_calls("chat.postEphemeral")
    assert "limit of 1 questions a minute" in note.all_text()
    assert second.core.calls == []


def test_an_edit_reaching_the_other_replica_is_answered_again(start_bot) -> None:
    state = shared_state()
    first, second = start_bot(state=state), start_bot(Core(), state=state)
    ts, _ = first.mention()
    first.slack.wait_for_calls("chat.postMessage")
    event = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    second.send.event(event)
    posts = second.slack.wait_for_calls("chat.postMessage", 2)
    assert posts[1].body["thread_ts"] == ts
    assert [q for q, _ in second.core.calls] == [EDITED]


def test_a_name_looked_up_by_one_replica_is_known_to_the_other(start_bot) -> None:
    state = shared_state()
    first, second = start_bot(state=state), start_bot(Core(), state=state)
    first.slack.add_user("U0456EFGH", "boris", real_name="Boris Johnson")
    first.mention("what did <@U0456EFGH> say about Russia?")
    first.slack.wait_for_calls("chat.postMessage")
    second.mention("and <@U0456EFGH> about China?")
    second.slack.wait_for_calls("chat.postMessage", 2)
    assert [q for q, _ in second.core.calls] == ["and @Boris Johnson about China?"]
    assert len(first.slack.calls_to("users.info")) == 1
