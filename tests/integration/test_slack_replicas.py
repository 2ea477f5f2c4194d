"""Two replicas of the bot (two apps, each on its own HTTP endpoint) sharing one real Redis
(``NEWSDESK_REDIS_URL``), against one fake Slack: whatever Slack delivers twice, to either
replica, is answered once; rate limits and the Share button's answers are shared.

Each test first shows the failure without Redis where that is the point (two replicas that do
not share state answer a retry twice), so that the shared behaviour is known to come from Redis.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.common.dedupe import Dedupe
from bot.common.ratelimit import Limiter
from bot.common.redis_backends import RedisCache, RedisDedupe
from bot.common.ttl import KeyValueCache
from bot.slack.render import ACTION_SHARE
from tests.fakes.slack_api import BOT_USER_ID, block_actions_payload, find_button
from tests.integration.slack_bot import CHANNEL, QUESTION, USER, Bot, Core, event_message
from tests.integration.test_slack_edits import EDITED, edit_event

StartBot = Callable[..., Bot]


def replicas(start_bot: StartBot, redis_url: str | None, **settings: object) -> tuple[Bot, Bot]:
    core = Core()
    extra = {"redis_url": redis_url} if redis_url else {}
    return start_bot(core, **extra, **settings), start_bot(core, **extra, **settings)


def mention_event(ts: str, text: str = QUESTION) -> dict[str, object]:
    return {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": CHANNEL,
    }


@pytest.mark.parametrize("shared", [False, True], ids=["in-process", "redis"])
def test_a_retry_delivered_to_the_other_replica_is_answered_once(
    start_bot: StartBot, redis_url: str, shared: bool
) -> None:
    one, two = replicas(start_bot, redis_url if shared else None)
    ts = one.slack.next_ts()
    assert one.send.event(mention_event(ts), event_id="Ev0REPLICA").status == 200
    one.slack.wait_for_calls("chat.postMessage")
    for attempt in (1, 2):
        response = two.send.event(mention_event(ts), event_id="Ev0REPLICA", retry_num=attempt)
        assert response.status == 200
    two.settle(0.6)
    posts = one.slack.calls_to("chat.postMessage")
    # Without shared state the second replica answers the retry again: the reported failure.
    assert len(posts) == (1 if shared else 2)
    assert len(one.core.calls) == (1 if shared else 2)


def test_app_mention_and_message_on_different_replicas_are_answered_once(
    start_bot: StartBot, redis_url: str
) -> None:
    # A reply that mentions the bot in a thread it answered in arrives as app_mention and as
    # message (different event ids): each delivery goes to a different replica here.
    one, two = replicas(start_bot, redis_url)
    parent, _ = one.mention()
    one.slack.wait_for_calls("chat.postMessage")
    ts = one.slack.next_ts()
    text = f"<@{BOT_USER_ID}> and China?"
    one.slack.add_message(CHANNEL, text, ts=ts, thread_ts=parent)
    follow_up = {**mention_event(ts, "and China?"), "thread_ts": parent}
    assert one.send.event(follow_up).status == 200
    assert two.send.event(event_message(CHANNEL, text, ts, thread_ts=parent)).status == 200
    one.slack.wait_for_calls("chat.postMessage", 2)
    two.settle(0.6)
    assert len(one.slack.calls_to("chat.postMessage")) == 2
    assert [q for q, _ in one.core.calls] == [QUESTION, "and China?"]


def test_the_rate_limit_is_counted_across_replicas(start_bot: StartBot, redis_url: str) -> None:
    one, two = replicas(start_bot, redis_url, slack_rate_limit_per_minute=2)
    for bot in (one, two, one):
        assert bot.send.event(mention_event(bot.slack.next_ts())).status == 200
    [note] = one.slack.wait_for_calls("chat.postEphemeral")
    assert "limit of 2 questions a minute" in note.all_text()
    one.slack.wait_for_calls("chat.postMessage", 2)
    two.settle(0.6)
    assert len(one.slack.calls_to("chat.postMessage")) == 2
    assert len(one.core.calls) == 2
    # Another person is not affected by the first one's count.
    two.send.event({**mention_event(two.slack.next_ts()), "user": "UOTHER01"})
    one.slack.wait_for_calls("chat.postMessage", 3)


def test_share_on_the_other_replica_uses_the_cached_answer(
    start_bot: StartBot, redis_url: str
) -> None:
    one, two = replicas(start_bot, redis_url)
    one.send.command(QUESTION, response_url=one.slack.response_url("ask"))
    [private] = one.slack.wait_for_calls("response_url")
    share = find_button(private.blocks, ACTION_SHARE)
    click_url = two.slack.response_url("click")
    payload = block_actions_payload(action=share, response_url=click_url, ephemeral=True)
    assert two.send.action(payload).status == 200
    [public] = two.slack.wait_for_calls("chat.postMessage")
    assert f"Shared by <@{USER}>" in public.all_text()
    assert "Russia" in public.all_text() and "[1]" in public.all_text()
    # Replica 2 shared replica 1's answer (sources and all) without answering again.
    assert len(one.core.calls) == 1
    # And the click itself, replayed to replica 1, is handled once.
    assert one.send.action(payload).status == 200
    one.settle(0.6)
    assert len(one.slack.calls_to("chat.postMessage")) == 1


def test_a_replayed_ask_on_the_other_replica_is_answered_once(
    start_bot: StartBot, redis_url: str
) -> None:
    one, two = replicas(start_bot, redis_url)
    url = one.slack.response_url("ask")
    assert one.send.command(QUESTION, response_url=url, trigger_id="1337.42.twice").status == 200
    assert two.send.command(QUESTION, response_url=url, trigger_id="1337.42.twice").status == 200
    one.slack.wait_for_calls("response_url")
    two.settle(0.6)
    assert len(one.core.calls) == 1
    assert len(one.slack.calls_to("response_url")) == 1


def test_an_edit_reaching_the_other_replica_is_answered_again(
    start_bot: StartBot, redis_url: str
) -> None:
    one, two = replicas(start_bot, redis_url)
    ts, _ = one.mention()
    one.slack.wait_for_calls("chat.postMessage")
    event = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    assert two.send.event(event).status == 200
    posts = two.slack.wait_for_calls("chat.postMessage", 2)
    assert posts[1].body["thread_ts"] == ts
    assert [q for q, _ in one.core.calls] == [QUESTION, EDITED]


def test_a_name_looked_up_by_one_replica_is_known_to_the_other(
    start_bot: StartBot, redis_url: str
) -> None:
    one, two = replicas(start_bot, redis_url)
    one.slack.add_user("U0456EFGH", "boris", real_name="Boris Johnson")
    one.mention("what did <@U0456EFGH> say about Russia?")
    one.slack.wait_for_calls("chat.postMessage")
    two.mention("and <@U0456EFGH> about China?")
    one.slack.wait_for_calls("chat.postMessage", 2)
    assert [q for q, _ in one.core.calls][-1] == "and @Boris Johnson about China?"
    # Replica 2 read the name replica 1 looked up: Slack was asked once.
    assert len(one.slack.calls_to("users.info")) == 1


def test_with_redis_every_piece_of_state_is_the_redis_one(
    start_bot: StartBot, redis_url: str
) -> None:
    # The objects create_app builds from NEWSDESK_REDIS_URL are the protocols' (and so the same
    # seam test_slack_state.py drives with in-memory objects), kept in Redis.
    service = start_bot(redis_url=redis_url).app.newsdesk
    assert isinstance(service.seen, RedisDedupe) and isinstance(service.seen, Dedupe)
    assert service.replays is service.seen
    assert isinstance(service.limiter, Limiter)
    for cache in (service.answers, service.answered, service.names.cache):
        assert isinstance(cache, RedisCache) and isinstance(cache, KeyValueCache)
