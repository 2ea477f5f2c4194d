"""Edited questions (``message_changed``) and display names in questions, through the real HTTP
endpoint against the fake Slack Web API."""

from __future__ import annotations

import logging
from typing import Any

from tests.fakes.slack_api import BOT_USER_ID
from tests.integration.slack_bot import CHANNEL, QUESTION, USER, Bot

EDITED = "what did Johnson say about Syria?"


def edit_event(
    ts: str, new_text: str, old_text: str, *, channel: str = CHANNEL, edited_ts: str = ""
) -> dict[str, Any]:
    """A ``message_changed`` event as Slack sends it: the message keeps its ts, ``edited`` set."""
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "channel_type": "channel",
        "ts": edited_ts or ts,
        "event_ts": edited_ts or ts,
        "message": {
            "type": "message",
            "user": USER,
            "text": new_text,
            "ts": ts,
            "edited": {"user": USER, "ts": edited_ts or ts},
        },
        "previous_message": {"type": "message", "user": USER, "text": old_text, "ts": ts},
    }


def answered_mention(bot: Bot) -> str:
    ts, response = bot.mention()
    assert response.status == 200
    bot.slack.wait_for_calls("chat.postMessage")
    return ts


def test_an_edited_question_gets_a_fresh_answer_in_the_same_thread(start_bot, caplog) -> None:
    bot = start_bot()
    ts = answered_mention(bot)
    event = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    with caplog.at_level(logging.INFO, logger="newsdesk.slack"):
        assert bot.send.event(event).status == 200
        posts = bot.slack.wait_for_calls("chat.postMessage", 2)
    assert [q for q, _ in bot.core.calls] == [QUESTION, EDITED]
    assert posts[1].body["thread_ts"] == ts
    assert "Answer to the edited question" in posts[1].all_text()
    assert "Answer to the edited question" not in posts[0].all_text()
    assert any("edited" in r.getMessage() for r in caplog.records)


def test_a_replayed_edit_is_answered_once(start_bot) -> None:
    bot = start_bot()
    ts = answered_mention(bot)
    event = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    # The same event redelivered (same event id), then sent again under a new event id.
    assert bot.send.event(event, event_id="EvEDIT0001").status == 200
    assert bot.send.event(event, event_id="EvEDIT0001", retry_num=1).status == 200
    assert bot.send.event(event, event_id="EvEDIT0002").status == 200
    bot.slack.wait_for_calls("chat.postMessage", 2)
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 2
    assert [q for q, _ in bot.core.calls] == [QUESTION, EDITED]


def test_a_formatting_only_edit_is_ignored(start_bot, caplog) -> None:
    bot = start_bot()
    ts = answered_mention(bot)
    restyled = f"<@{BOT_USER_ID}>   what did *Johnson* say   about _Russia_?"
    linked = f"<@{BOT_USER_ID}> what did <https://example.com/j|Johnson> say about ~Russia~?"
    with caplog.at_level(logging.INFO, logger="newsdesk.slack"):
        for i, text in enumerate((restyled, linked)):
            event = edit_event(ts, text, f"<@{BOT_USER_ID}> {QUESTION}")
            assert bot.send.event(event, event_id=f"EvFMT{i}").status == 200
        bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert [q for q, _ in bot.core.calls] == [QUESTION]
    assert any("formatting" in r.getMessage() for r in caplog.records)


def test_edits_of_unanswered_messages_and_unfurls_are_ignored(start_bot) -> None:
    bot = start_bot()
    ts = bot.slack.next_ts()
    never_answered = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", "lunch?")
    assert bot.send.event(never_answered).status == 200
    # A link preview being attached is also a message_changed, without ``edited``.
    answered = answered_mention(bot)
    unfurl = edit_event(answered, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    del unfurl["message"]["edited"]
    assert bot.send.event(unfurl).status == 200
    bot.settle()
    assert [q for q, _ in bot.core.calls] == [QUESTION]
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


# --- display names --------------------------------------------------------------------------

ANNA = "U0123ABCD"


def test_mentions_reach_the_answerer_as_display_names(start_bot) -> None:
    bot = start_bot()
    bot.slack.add_user(ANNA, "anna.k", real_name="Anna Karenina", display_name="Anna K")
    bot.slack.add_user("U0456EFGH", "boris", real_name="Boris Johnson")
    bot.slack.add_channel("C0123", "general")
    bot.mention(f"what did <@{ANNA}> and <@U0456EFGH|boris> say in <#C0123|gen>?")
    bot.slack.wait_for_calls("chat.postMessage")
    assert [q for q, _ in bot.core.calls] == [
        "what did @Anna K and @Boris Johnson say in #general?"
    ]
    [info] = bot.slack.calls_to("conversations.info")
    assert info.body["channel"] == "C0123"


def test_a_failing_users_info_leaves_the_id(start_bot) -> None:
    bot = start_bot()
    bot.slack.add_user(ANNA, "anna.k", display_name="Anna K")
    bot.slack.fail("users.info", "ratelimited")
    bot.mention(f"what did <@{ANNA}> say?")
    bot.slack.wait_for_calls("chat.postMessage")
    # An unknown user and channel (users.info / conversations.info answer not found) too.
    bot.mention("what did <@U0999ZZZZ> say in <#C0999>?")
    bot.slack.wait_for_calls("chat.postMessage", 2)
    assert [q for q, _ in bot.core.calls] == [
        f"what did @{ANNA} say?",
        "what did @U0999ZZZZ say in #C0999?",
    ]
    assert len(bot.slack.calls_to("users.info")) == 2  # the failure was not cached


def test_names_are_cached_one_users_info_for_two_questions(start_bot) -> None:
    bot = start_bot()
    bot.slack.add_user(ANNA, "anna.k", real_name="Anna Karenina")
    bot.mention(f"what did <@{ANNA}> say?")
    bot.slack.wait_for_calls("chat.postMessage")
    bot.mention(f"and what did <@{ANNA}|anna.k> write?")
    bot.slack.wait_for_calls("chat.postMessage", 2)
    assert [q for q, _ in bot.core.calls] == [
        "what did @Anna Karenina say?",
        "and what did @Anna Karenina write?",
    ]
    assert len(bot.slack.calls_to("users.info")) == 1


def test_the_bots_own_mention_is_not_looked_up(start_bot) -> None:
    bot = start_bot()
    bot.mention(QUESTION)
    bot.slack.wait_for_calls("chat.postMessage")
    assert bot.core.calls == [(QUESTION, ())]
    assert not bot.slack.calls_to("users.info")


def test_an_edited_mention_inside_a_thread_is_answered_in_that_thread(start_bot) -> None:
    bot = start_bot()
    parent = bot.slack.add_message(CHANNEL, "Anyone know about the G7?")
    ts, _ = bot.mention(thread_ts=parent["ts"])
    bot.slack.wait_for_calls("chat.postMessage")
    event = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    event["message"]["thread_ts"] = parent["ts"]
    assert bot.send.event(event).status == 200
    posts = bot.slack.wait_for_calls("chat.postMessage", 2)
    assert posts[1].body["thread_ts"] == parent["ts"]
    bot.slack.wait_for(lambda: len(bot.core.calls) == 2)
    assert bot.core.calls[1][0] == EDITED
    assert bot.core.calls[1][1][0].question == "Anyone know about the G7?"


def test_an_edit_over_the_rate_limit_gets_the_private_note(start_bot) -> None:
    bot = start_bot(slack_rate_limit_per_minute=1)
    ts = answered_mention(bot)
    event = edit_event(ts, f"<@{BOT_USER_ID}> {EDITED}", f"<@{BOT_USER_ID}> {QUESTION}")
    assert bot.send.event(event).status == 200
    [note] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert note.body["user"] == USER and "thread_ts" not in note.body
    bot.settle()
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
