"""The Slack app driven through its real HTTP endpoint (waitress on 127.0.0.1) with signed requests,
against the fake Slack Web API. Listeners finish after the ack, so tests poll the fake.

The answering core is a small deterministic function returning real ``Answer`` values here; the
real pipeline is exercised in ``test_slack_pipeline.py``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time

import pytest

from bot.common.dedupe import dedupe_key
from bot.slack.render import ACTION_HELPFUL, ACTION_SHARE, ANSWER_EVENT_TYPE
from bot.slack.transport import WORKING_REACTION
from bot.types import Answer, Turn
from tests.fakes.slack_api import (
    BOT_USER_ID,
    SlackSender,
    block_actions_payload,
    find_button,
    sign,
)
from tests.integration.slack_bot import (
    ANSWER_TEXT,
    CHANNEL,
    QUESTION,
    USER,
    Core,
    event_message,
    method_index,
)

# --- surfaces -------------------------------------------------------------------------------


def test_mention_answers_in_thread_with_indicator_sources_and_buttons(start_bot) -> None:
    bot = start_bot()
    ts, response = bot.mention()
    assert response.status == 200
    assert response.seconds < 1.0

    [post] = bot.slack.wait_for_calls("chat.postMessage")
    assert post.body["channel"] == CHANNEL
    assert post.body["thread_ts"] == ts
    assert bot.core.calls == [(QUESTION, ())]
    blocks = post.blocks
    assert "<https://www.itv.com/news/2017-04-10/g7|[1]>" in blocks[0]["text"]["text"]
    everything = post.all_text()
    assert (
        "*[1]* <https://www.itv.com/news/2017-04-10/g7|G7 meeting: Russia and Syria could face "
        "'further sanctions', says Boris Johnson> (itv.com) — ITV News · 2017-04-10"
    ) in everything
    find_button(blocks, ACTION_HELPFUL)
    assert post.body["metadata"]["event_type"] == ANSWER_EVENT_TYPE
    assert post.body["text"].startswith("Johnson said Russia")

    # The working indicator: added on the question before the answer, removed after it.
    bot.slack.wait_for_calls("reactions.remove")
    added = method_index(bot.slack, "reactions.add", channel=CHANNEL, timestamp=ts)
    posted = method_index(bot.slack, "chat.postMessage")
    removed = method_index(bot.slack, "reactions.remove", channel=CHANNEL, timestamp=ts)
    assert added < posted < removed
    assert bot.slack.calls[added].body["name"] == WORKING_REACTION
    assert not bot.slack.reactions


def test_mention_inside_a_thread_replies_in_that_thread(start_bot) -> None:
    bot = start_bot()
    parent = bot.slack.add_message(CHANNEL, "Anyone know about the G7?")
    ts, _ = bot.mention(thread_ts=parent["ts"])
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    assert post.body["thread_ts"] == parent["ts"] != ts
    # The earlier message in the thread is history for the core.
    bot.slack.wait_for(lambda: bot.core.calls)
    assert bot.core.calls[0][1] == (Turn("Anyone know about the G7?", ""),)


def test_direct_message_is_answered_in_the_dm(start_bot) -> None:
    bot = start_bot()
    ts = bot.slack.next_ts()
    dm = event_message("D0000001", QUESTION, ts, channel_type="im")
    assert bot.send.event(dm).status == 200
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    assert post.body["channel"] == "D0000001"
    assert "thread_ts" not in post.body
    assert bot.core.calls == [(QUESTION, ())]


def test_thread_follow_up_uses_earlier_turns(start_bot) -> None:
    bot = start_bot()
    ts, _ = bot.mention()
    # Slack has the question in the channel; the bot's answer is stored by the fake as posted.
    bot.slack.add_message(CHANNEL, f"<@{BOT_USER_ID}> {QUESTION}", ts=ts)
    bot.slack.wait_for_calls("chat.postMessage")

    follow_ts = bot.slack.next_ts()
    bot.slack.add_message(CHANNEL, "and China?", ts=follow_ts, thread_ts=ts)
    response = bot.send.event(event_message(CHANNEL, "and China?", follow_ts, thread_ts=ts))
    assert response.status == 200
    posts = bot.slack.wait_for_calls("chat.postMessage", 2)
    assert posts[1].body["thread_ts"] == ts
    assert bot.core.calls[1] == (
        "and China?",
        (Turn(QUESTION, 'Johnson said Russia "needs a way out and a way forward" [1].'),),
    )
    replies = bot.slack.calls_to("conversations.replies")
    assert replies and replies[-1].body["include_all_metadata"] in (True, "true", "1", 1)


def test_thread_without_the_bot_is_left_alone(start_bot) -> None:
    bot = start_bot()
    parent = bot.slack.add_message(CHANNEL, "lunch?")
    for text in ("sure", "at noon"):
        ts = bot.slack.next_ts()
        bot.slack.add_message(CHANNEL, text, ts=ts, thread_ts=parent["ts"])
        assert (
            bot.send.event(event_message(CHANNEL, text, ts, thread_ts=parent["ts"])).status == 200
        )
        # (Replies in a real thread come seconds apart; wait until the first was looked at.)
        bot.slack.wait_for(
            lambda: dedupe_key(CHANNEL, parent["ts"]) in bot.app.newsdesk.not_bot_threads
        )
    # A top-level channel message without a mention is not for the bot either.
    assert bot.send.event(event_message(CHANNEL, "hello all", bot.slack.next_ts())).status == 200
    bot.settle()
    assert not bot.slack.calls_to("chat.postMessage")
    assert bot.core.calls == []
    # The thread was looked up once, then remembered as not the bot's.
    assert len(bot.slack.calls_to("conversations.replies")) == 1


def test_ask_answers_privately_and_share_posts_publicly(start_bot) -> None:
    bot = start_bot()
    response_url = bot.slack.response_url("ask")
    response = bot.send.command(QUESTION, response_url=response_url)
    assert response.status == 200 and response.seconds < 1.0
    ack = response.json()
    assert ack["response_type"] == "ephemeral"
    assert "Looking that up" in ack["text"]

    [private] = bot.slack.wait_for_calls("response_url")
    assert private.path == "/response/ask"
    assert private.body["response_type"] == "ephemeral"
    assert "*Question:* " + QUESTION in private.all_text()
    assert "<https://www.itv.com/news/2017-04-10/g7|[1]>" in private.all_text()
    share = find_button(private.blocks, ACTION_SHARE)
    assert not bot.slack.calls_to("chat.postMessage")

    click_url = bot.slack.response_url("click")
    payload = block_actions_payload(action=share, response_url=click_url, ephemeral=True)
    assert bot.send.action(payload).status == 200
    [public] = bot.slack.wait_for_calls("chat.postMessage")
    assert public.body["channel"] == CHANNEL
    assert "thread_ts" not in public.body
    assert f"Shared by <@{USER}>" in public.all_text()
    assert "*Question:* " + QUESTION in public.all_text()
    assert ANSWER_TEXT.split(" [1]")[0] in public.all_text()
    [delete] = bot.slack.wait_for_calls("response_url", where=lambda c: c.path == "/response/click")
    assert delete.body == {"delete_original": True}
    assert len(bot.core.calls) == 1  # shared from memory, not answered again


def test_follow_up_under_a_shared_answer_knows_its_question(start_bot) -> None:
    bot = start_bot()
    bot.send.command(QUESTION, response_url=bot.slack.response_url("ask"))
    [private] = bot.slack.wait_for_calls("response_url")
    share = find_button(private.blocks, ACTION_SHARE)
    bot.send.action(block_actions_payload(action=share, response_url=bot.slack.response_url()))
    bot.slack.wait_for_calls("chat.postMessage")
    shared_ts = bot.slack.messages[CHANNEL][-1]["ts"]
    ts = bot.slack.next_ts()
    bot.slack.add_message(CHANNEL, "and China?", ts=ts, thread_ts=shared_ts)
    bot.send.event(event_message(CHANNEL, "and China?", ts, thread_ts=shared_ts))
    posts = bot.slack.wait_for_calls("chat.postMessage", 2)
    assert posts[1].body["thread_ts"] == shared_ts
    assert bot.core.calls[-1] == ("and China?", (Turn(QUESTION, ANSWER_TEXT),))


def test_share_falls_back_to_response_url_where_the_bot_is_not_a_member(start_bot) -> None:
    bot = start_bot()
    bot.send.command(QUESTION, response_url=bot.slack.response_url("ask"))
    [private] = bot.slack.wait_for_calls("response_url")
    bot.slack.not_in_channel.add(CHANNEL)
    click_url = bot.slack.response_url("click")
    share = find_button(private.blocks, ACTION_SHARE)
    bot.send.action(block_actions_payload(action=share, response_url=click_url, ephemeral=True))
    calls = bot.slack.wait_for_calls("response_url", 2, where=lambda c: c.path == "/response/click")
    assert calls[0].body["response_type"] == "in_channel"
    assert f"Shared by <@{USER}>" in calls[0].all_text()
    assert calls[1].body == {"delete_original": True}


def test_ask_without_text_shows_usage(start_bot) -> None:
    bot = start_bot()
    response = bot.send.command("   ", response_url=bot.slack.response_url())
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Usage:" in body["text"] and "/ask QUESTION" in body["text"]
    bot.settle(0.2)
    assert bot.core.calls == [] and not bot.slack.calls_to("response_url")


def test_feedback_click_is_acknowledged_and_recorded(start_bot) -> None:
    bot = start_bot()
    bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    message = bot.slack.messages[CHANNEL][-1]
    helpful = find_button(post.blocks, ACTION_HELPFUL)
    payload = block_actions_payload(
        action=helpful, user="UREADER2", response_url=bot.slack.response_url("fb"), message=message
    )
    response = bot.send.action(payload)
    assert response.status == 200 and response.seconds < 1.0
    [thanks] = bot.slack.wait_for_calls("response_url")
    assert "feedback was recorded" in thanks.body["text"]
    assert thanks.body["response_type"] == "ephemeral"
    [record] = list(bot.app.newsdesk.feedback)
    assert record["verdict"] == "helpful"
    assert record["user"] == "UREADER2"
    assert record["question"] == QUESTION
    assert record["answer"] == ANSWER_TEXT
    assert record["prompt_id"] == "prompt123abc"
    assert record["message_ts"] == message["ts"] and record["channel"] == CHANNEL
    assert record["time"]


def test_feedback_after_a_restart_reads_the_answer_from_the_message(start_bot) -> None:
    first = start_bot()
    first.mention()
    [post] = first.slack.wait_for_calls("chat.postMessage")
    message = first.slack.messages[CHANNEL][-1]
    second = start_bot()  # a new process: nothing in memory
    button = find_button(post.blocks, "newsdesk_feedback_not_helpful")
    payload = block_actions_payload(
        action=button, response_url=second.slack.response_url(), message=message
    )
    assert second.send.action(payload).status == 200
    second.slack.wait_for_calls("response_url")
    [record] = list(second.app.newsdesk.feedback)
    assert record["verdict"] == "not_helpful"
    assert record["question"] == QUESTION
    assert record["answer"] == ANSWER_TEXT
    assert record["prompt_id"] == "prompt123abc"


# --- Slack's contract -----------------------------------------------------------------------


def test_retried_deliveries_are_answered_once(start_bot) -> None:
    bot = start_bot()
    ts = bot.slack.next_ts()
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER_ID}> {QUESTION}",
        "ts": ts,
        "channel": CHANNEL,
    }
    assert bot.send.event(event, event_id="Ev0RETRY").status == 200
    for attempt in (1, 2, 3):
        assert bot.send.event(event, event_id="Ev0RETRY", retry_num=attempt).status == 200
    bot.slack.wait_for_calls("chat.postMessage")
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert len(bot.core.calls) == 1


def test_a_repeated_event_id_is_dropped_before_any_listener(start_bot) -> None:
    bot = start_bot()
    first = event_message("D0000001", QUESTION, bot.slack.next_ts(), channel_type="im")
    assert bot.send.event(first, event_id="Ev0SAME").status == 200
    bot.slack.wait_for_calls("chat.postMessage")
    # Same event id, different message: only the event-id check can stop this one.
    other = event_message("D0000001", "and China?", bot.slack.next_ts(), channel_type="im")
    assert bot.send.event(other, event_id="Ev0SAME", retry_num=1).status == 200
    bot.settle()
    assert [q for q, _ in bot.core.calls] == [QUESTION]


@pytest.mark.parametrize("message_first", [False, True])
def test_mention_delivered_as_app_mention_and_message_is_answered_once(
    start_bot, message_first: bool
) -> None:
    bot = start_bot()
    # A follow-up with a mention, in a thread the bot answered: both listeners would answer it.
    root_ts, _ = bot.mention()
    bot.slack.add_message(CHANNEL, f"<@{BOT_USER_ID}> {QUESTION}", ts=root_ts)
    bot.slack.wait_for_calls("chat.postMessage")
    ts = bot.slack.next_ts()
    text = f"<@{BOT_USER_ID}> and China?"
    bot.slack.add_message(CHANNEL, text, ts=ts, thread_ts=root_ts)
    mention = {
        "type": "app_mention",
        "user": USER,
        "text": text,
        "ts": ts,
        "thread_ts": root_ts,
        "channel": CHANNEL,
    }
    message = event_message(CHANNEL, text, ts, thread_ts=root_ts)
    deliveries = [message, mention] if message_first else [mention, message]
    for event in deliveries:
        assert bot.send.event(event).status == 200
    bot.slack.wait_for_calls("chat.postMessage", 2)
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 2
    assert [q for q, _ in bot.core.calls] == [QUESTION, "and China?"]


def test_bot_messages_and_ignored_subtypes_get_200_and_no_answer(start_bot) -> None:
    bot = start_bot()
    ts = bot.slack.next_ts
    events = [
        {**event_message("D0000001", "hi", ts(), channel_type="im"), "bot_id": "BOTHER01"},
        {**event_message("D0000001", "hi", ts(), channel_type="im"), "subtype": "bot_message"},
        {**event_message("D0000001", QUESTION, ts(), channel_type="im"), "user": BOT_USER_ID},
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D0000001",
            "channel_type": "im",
            "ts": ts(),
            "message": {"text": QUESTION, "user": USER},
        },
        {"type": "message", "subtype": "message_deleted", "channel": CHANNEL, "ts": ts()},
        {**event_message(CHANNEL, "joined", ts()), "subtype": "channel_join"},
        {
            "type": "app_mention",
            "user": "UOTHERBOT",
            "bot_id": "BOTHER01",
            "text": f"<@{BOT_USER_ID}> {QUESTION}",
            "ts": ts(),
            "channel": CHANNEL,
        },
    ]
    for event in events:
        response = bot.send.event(event)
        assert response.status == 200, event
    bot.settle()
    assert bot.core.calls == []
    assert not bot.slack.calls_to("chat.postMessage")
    assert not bot.slack.calls_to("reactions.add")


def test_answer_comes_after_the_ack(start_bot) -> None:
    gate = threading.Event()
    bot = start_bot(Core(gate=gate), workers=1)
    _, response = bot.mention()
    assert response.status == 200 and response.seconds < 1.0
    # While every answering thread is busy, Slack's other requests are still acknowledged.
    ask = bot.send.command(QUESTION, response_url=bot.slack.response_url())
    assert ask.status == 200 and ask.seconds < 1.0
    assert not bot.slack.calls_to("chat.postMessage")
    gate.set()
    bot.slack.wait_for_calls("chat.postMessage")


def test_long_answer_is_split_across_messages(start_bot) -> None:
    text = " ".join(f"Paragraph sentence {i} with <detail> & context [1]." for i in range(2000))
    bot = start_bot(Core(text))
    ts, _ = bot.mention()
    bot.slack.wait_for_calls("reactions.remove")
    posts = bot.slack.calls_to("chat.postMessage")
    assert len(posts) >= 3
    assert all(p.body.get("_ok", True) for p in posts), "Slack rejected a part"
    assert all(p.body["thread_ts"] == ts for p in posts)
    parts = [p.body["metadata"]["event_payload"] for p in posts]
    assert [p["part"] for p in parts] == list(range(1, len(posts) + 1))
    assert len({p["answer_id"] for p in parts}) == 1
    joined = " ".join(p.all_text() for p in posts)
    assert "sentence 0 with &lt;detail&gt; &amp; context" in joined
    assert "sentence 1999 with" in joined
    assert [bool(p.blocks[-1]["type"] == "actions") for p in posts] == [False] * (
        len(posts) - 1
    ) + [True]


# --- failures are visible -------------------------------------------------------------------


def test_core_failure_gives_a_visible_error_in_the_thread(start_bot, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="newsdesk.slack")
    bot = start_bot(Core(error=ConnectionError("chroma at 10.0.0.5:8000 is unreachable")))
    started = time.monotonic()
    ts, response = bot.mention()
    assert response.status == 200
    [post] = bot.slack.wait_for_calls("chat.postMessage", timeout=10)
    assert time.monotonic() - started < 10
    assert post.body["thread_ts"] == ts
    assert post.body["text"].startswith(":warning: Sorry, something went wrong")
    assert "ref " in post.body["text"]
    assert "10.0.0.5" not in post.all_text()  # the cause goes to the log, not to the channel
    bot.slack.wait_for_calls("reactions.remove")
    logged = [r for r in caplog.records if r.exc_info]
    assert any("unreachable" in str(r.exc_info[1]) for r in logged)
    ref = post.body["text"].split("ref ")[1].rstrip(")")
    assert any(ref in r.getMessage() for r in logged)


def test_hung_core_is_reported_after_the_deadline(start_bot) -> None:
    gate = threading.Event()
    bot = start_bot(Core(gate=gate), answer_timeout=0.5)
    ts, _ = bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage", timeout=5)
    gate.set()
    assert "took too long" in post.body["text"]
    assert post.body["thread_ts"] == ts


def test_error_answer_from_the_core_is_shown(start_bot) -> None:
    result = Answer(question="x", text="", status="error", error="The question is too long.")
    bot = start_bot(Core(result=result))
    bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    assert re.fullmatch(
        r":warning: Sorry, the question is too long\. \(ref [0-9a-f]{8}\)", post.body["text"]
    )


def test_core_failure_on_ask_is_reported_privately(start_bot) -> None:
    bot = start_bot(Core(error=RuntimeError("boom")))
    bot.send.command(QUESTION, response_url=bot.slack.response_url())
    [reply] = bot.slack.wait_for_calls("response_url")
    assert "Sorry, something went wrong" in reply.body["text"]
    assert reply.body["response_type"] == "ephemeral"


# --- transport --------------------------------------------------------------------------------


def test_bad_and_stale_signatures_are_rejected(start_bot) -> None:
    bot = start_bot()
    event = {
        "type": "app_mention",
        "user": USER,
        "text": f"<@{BOT_USER_ID}> hi",
        "ts": "1.1",
        "channel": CHANNEL,
    }
    assert bot.send.event(event, signature="v0=" + "0" * 64).status == 401
    stale = int(time.time()) - 6 * 60
    assert bot.send.event(event, timestamp=stale).status == 401  # correctly signed, too old
    wrong_secret = SlackSender(bot.url, signing_secret="not-the-secret")
    assert wrong_secret.event(event).status == 401
    body = json.dumps({"type": "event_callback", "event": event}).encode()
    assert (
        bot.send.post(
            body, "application/json", headers={"X-Slack-Request-Timestamp": "soon"}
        ).status
        == 401
    )
    # url_verification is signed too
    challenge = json.dumps({"type": "url_verification", "challenge": "xyz", "token": "t"}).encode()
    assert bot.send.post(challenge, "application/json").json() == {"challenge": "xyz"}
    assert bot.send.post(challenge, "application/json", signature="v0=bad").status == 401
    bot.settle(0.2)
    assert bot.core.calls == [] and not bot.slack.calls_to("chat.postMessage")


def test_health_and_unknown_paths(start_bot) -> None:
    import urllib.error
    import urllib.request

    bot = start_bot()
    base = bot.url.removesuffix("/slack/events")
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read()) == {"ok": True}
    for path, code in (("/nope", 404), ("/slack/events", 405)):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(base + path, timeout=5)
        assert info.value.code == code


def test_http_429_retry_after_is_honoured(start_bot) -> None:
    bot = start_bot()
    bot.slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    bot.mention()
    first, second = bot.slack.wait_for_calls("chat.postMessage", 2, timeout=10)
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.0
    bot.settle(0.2)
    assert len(bot.slack.posted()) == 1


def test_per_user_rate_limit_with_a_friendly_message(start_bot) -> None:
    bot = start_bot(slack_rate_limit_per_minute=2)
    for _ in range(3):
        bot.mention()
    [notice] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert notice.body["user"] == USER
    assert "limit of 2 questions a minute" in notice.body["text"]
    bot.mention(user="UOTHER01")  # someone else is not affected
    bot.slack.wait_for_calls("chat.postMessage", 3)
    bot.settle()
    assert len(bot.core.calls) == 3
    ack = bot.send.command(QUESTION, response_url=bot.slack.response_url()).json()
    assert "limit of 2 questions a minute" in ack["text"]


def test_channel_allowlist(start_bot) -> None:
    bot = start_bot(slack_allowed_channels="C0000001, C0000002")
    bot.mention(channel="C0000099")
    [notice] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert "not enabled in this channel" in notice.body["text"]
    assert "<#C0000001>" in notice.body["text"]
    ack = bot.send.command(QUESTION, response_url=bot.slack.response_url(), channel_id="C0000099")
    assert "not enabled in this channel" in ack.json()["text"]
    bot.mention(channel="C0000002")
    dm_ts = bot.slack.next_ts()
    bot.send.event(event_message("D0000001", QUESTION, dm_ts, channel_type="im"))
    posts = bot.slack.wait_for_calls("chat.postMessage", 2)
    assert {p.body["channel"] for p in posts} == {"C0000002", "D0000001"}
    bot.settle(0.2)
    assert len(bot.core.calls) == 2


def test_signature_helper_matches_slack_documentation() -> None:
    # The example from Slack's "Verifying requests from Slack" page.
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        sign(secret, "1531420618", body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


# --- replays ----------------------------------------------------------------------------------


def test_a_replayed_ask_is_answered_once(start_bot) -> None:
    # Row "Replays are answered again": the same signed /ask sent twice within a second.
    bot = start_bot()
    url = bot.slack.response_url("ask")
    first = bot.send.command(QUESTION, response_url=url, trigger_id="1337.42.same")
    again = bot.send.command(QUESTION, response_url=url, trigger_id="1337.42.same")
    assert first.status == again.status == 200
    bot.slack.wait_for_calls("response_url")
    bot.settle()
    assert len(bot.core.calls) == 1
    assert len(bot.slack.calls_to("response_url")) == 1
    # Another /ask (another trigger) is a new question.
    bot.send.command(QUESTION, response_url=url)
    bot.slack.wait_for_calls("response_url", 2)


def test_a_replayed_feedback_click_is_recorded_once(start_bot) -> None:
    bot = start_bot()
    bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    message = bot.slack.messages[CHANNEL][-1]
    button = find_button(post.blocks, ACTION_HELPFUL)
    payload = block_actions_payload(
        action=button, response_url=bot.slack.response_url("fb"), message=message
    )
    assert bot.send.action(payload).status == 200
    assert bot.send.action(payload).status == 200
    bot.slack.wait_for_calls("response_url")
    bot.settle()
    assert bot.app.newsdesk.feedback.count() == 1
    # The same person clicking again later (a new action_ts) is a new verdict.
    payload["actions"][0]["action_ts"] = "1800000000.000001"
    bot.send.action(payload)
    bot.slack.wait_for_calls("response_url", 2)
    assert bot.app.newsdesk.feedback.count() == 2


# --- failures visible, plain and traceable; notes seen ------------------------------------------


def test_a_store_error_is_plain_with_a_reference_and_the_cause_only_in_the_log(
    start_bot, caplog
) -> None:
    # Row "Error replies leak internals and lack a reference" (Chroma stopped).
    caplog.set_level(logging.ERROR)
    cause = "Searching the articles failed: [Errno 111] Connection refused"
    bot = start_bot(Core(result=Answer(question="x", text=cause, status="error", error=cause)))
    bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    match = re.fullmatch(
        r":warning: Sorry, searching the articles failed\. \(ref ([0-9a-f]{8})\)", post.body["text"]
    )
    assert match, post.body["text"]
    assert "Errno" not in post.all_text() and "refused" not in post.all_text()
    assert any(
        match.group(1) in r.getMessage() and "Errno 111" in r.getMessage() for r in caplog.records
    )


def test_a_real_core_failure_shows_the_cores_reference_in_the_thread(
    start_bot, caplog, embeddings, tmp_path
) -> None:
    # The real core over a store whose database has gone: the reference in the thread is the
    # one the core logged the cause (with its path) under.
    from bot.core import Answerer
    from tests.integration.test_core import BrokenStore, make_settings

    caplog.set_level(logging.ERROR)
    path = tmp_path / "store" / "chroma.sqlite3"
    core = Answerer(BrokenStore(path), embeddings, make_settings(tmp_path))
    bot = start_bot(core.answer)
    bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage", timeout=60)
    match = re.fullmatch(
        r":warning: Sorry, searching the articles failed\. \(ref ([0-9a-f]{8})\)", post.body["text"]
    )
    assert match, post.body["text"]
    assert str(path) not in post.all_text()
    # The first question of a process also warms the core up (Answerer.warm), which meets the
    # same broken store and logs it under a reference of its own: the one shown is the question's.
    [cause] = [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.core" and match.group(1) in r.getMessage()
    ]
    assert str(path) in cause


def test_a_failed_post_is_logged_and_the_asker_told_privately(start_bot, caplog) -> None:
    # Row "Fallbacks are invisible": chat.postMessage failing left the user with nothing.
    caplog.set_level(logging.ERROR)
    bot = start_bot()
    bot.slack.fail("chat.postMessage", "channel_not_found")
    bot.mention()
    dm = bot.slack.wait_for_calls("chat.postMessage", 2)[1]
    assert dm.body["channel"] == USER
    ref = re.search(r"ref ([0-9a-f]{8})", dm.body["text"]).group(1)  # type: ignore[union-attr]
    assert any(
        ref in r.getMessage() and "channel_not_found" in r.getMessage() for r in caplog.records
    )
    # Any other failure (here HTTP 500 from Slack): an ephemeral note in the channel.
    bot.slack.fail("chat.postMessage", "internal_error")
    bot.mention()
    [note] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert note.body["user"] == USER and "couldn't post my answer" in note.body["text"]
    assert "thread_ts" not in note.body


def test_a_fallback_answer_says_so_and_the_log_says_why(start_bot, caplog) -> None:
    from bot.types import Dropped

    caplog.set_level(logging.WARNING)
    reason = (
        "llm generator failed (timed out after 30 s); answered from the sources with the "
        "extractive generator instead"
    )
    result = Answer(
        question=QUESTION,
        text=ANSWER_TEXT,
        status="answered",
        generator="extractive",
        dropped=(Dropped("", reason),),
    )
    bot = start_bot(Core(result=result), generator="llm")
    bot.mention()
    [post] = bot.slack.wait_for_calls("chat.postMessage")
    assert "Composed from the articles' own sentences" in post.all_text()
    assert any("timed out after 30 s" in r.getMessage() for r in caplog.records)


def test_notes_to_a_top_level_mention_are_posted_without_thread_ts(start_bot) -> None:
    # Row "Private notes that no one sees".
    bot = start_bot(slack_rate_limit_per_minute=1)
    bot.send.event(
        {
            "type": "app_mention",
            "user": USER,
            "text": f"<@{BOT_USER_ID}>",
            "ts": "1.000001",
            "channel": CHANNEL,
        }
    )
    [empty] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert "thread_ts" not in empty.body
    bot.mention()
    bot.mention()  # over the limit
    notes = bot.slack.wait_for_calls("chat.postEphemeral", 2)
    assert "limit of 1 questions" in notes[1].body["text"] and "thread_ts" not in notes[1].body
    # In an existing thread, the note goes into it.
    parent = bot.slack.add_message(CHANNEL, "thread root")
    bot.mention(thread_ts=parent["ts"])
    notes = bot.slack.wait_for_calls("chat.postEphemeral", 3)
    assert notes[2].body["thread_ts"] == parent["ts"]
