"""``/ask`` when its ``response_url`` cannot be used (expired, or Slack failing): the answer takes
a second route, privately, and the log says so with a reference."""

from __future__ import annotations

import logging
import re
import threading

import pytest

from bot.slack.render import ACTION_SHARE
from tests.fakes.slack_api import find_button
from tests.integration.slack_bot import ANSWER_TEXT, CHANNEL, QUESTION, USER, Core

ANSWER_START = ANSWER_TEXT.split(" [1]")[0]


def delivery_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The reference of each logged failure to deliver through a response_url."""
    return [
        found.group(1)
        for r in caplog.records
        if r.levelno >= logging.ERROR and "response_url" in r.getMessage()
        for found in [re.search(r"\(ref ([0-9a-f]{8})\)", r.getMessage())]
        if found
    ]


@pytest.mark.parametrize("status", [404, 500])
def test_an_answer_the_response_url_refuses_is_posted_privately_in_the_channel(
    start_bot, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    caplog.set_level(logging.INFO)
    bot = start_bot()
    bot.slack.fail_response_url("gone", status, "expired_url" if status == 404 else "oops")
    assert bot.send.command(QUESTION, response_url=bot.slack.response_url("gone")).status == 200
    [note] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert note.body["channel"] == CHANNEL and note.body["user"] == USER
    assert ANSWER_START in note.all_text()
    assert "*Question:* " + QUESTION in note.all_text()
    find_button(note.blocks, ACTION_SHARE)  # still shareable: the click has its own response_url
    [refused] = bot.slack.calls_to("response_url")
    assert refused.status == status
    assert not bot.slack.calls_to("chat.postMessage")  # nothing public
    # The route is logged just after the post: wait for the line rather than race it.
    [ref] = bot.slack.wait_for(lambda: delivery_failures(caplog), message="the first log line")
    bot.slack.wait_for(
        lambda: [
            r
            for r in caplog.records
            if ref in r.getMessage() and "in the channel" in r.getMessage()
        ],
        message="the route logged",
    )


def test_where_the_bot_cannot_post_the_answer_goes_to_the_askers_dm(
    start_bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = start_bot()
    bot.slack.fail_response_url("gone", 404)
    bot.slack.not_in_channel.add(CHANNEL)  # a private channel, or a DM between people
    bot.send.command(QUESTION, response_url=bot.slack.response_url("gone"))
    posts = bot.slack.wait_for_calls("chat.postMessage", 2)
    assert {p.body["channel"] for p in posts} == {USER}
    assert "where you used /ask" in posts[0].all_text()
    assert ANSWER_START in posts[1].all_text()
    with pytest.raises(AssertionError):
        find_button(posts[1].blocks, ACTION_SHARE)  # sharing in a DM with the bot means nothing
    [ref] = bot.slack.wait_for(lambda: delivery_failures(caplog), message="the first log line")
    bot.slack.wait_for(
        lambda: [
            r
            for r in caplog.records
            if ref in r.getMessage() and "direct message" in r.getMessage()
        ],
        message="the route logged",
    )


def test_a_failure_notice_takes_the_second_route_too(start_bot) -> None:
    bot = start_bot(Core(error=RuntimeError("boom")))
    bot.slack.fail_response_url("gone", 500)
    bot.send.command(QUESTION, response_url=bot.slack.response_url("gone"))
    [note] = bot.slack.wait_for_calls("chat.postEphemeral")
    assert re.search(r"Sorry, something went wrong.*\(ref [0-9a-f]{8}\)", note.body["text"])


def test_when_no_route_works_the_log_says_so_under_the_same_reference(
    start_bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = start_bot()
    bot.slack.fail_response_url("gone", 404)
    bot.slack.not_in_channel.add(CHANNEL)
    bot.slack.fail("chat.postMessage", "user_not_found", times=2)
    bot.send.command(QUESTION, response_url=bot.slack.response_url("gone"))
    bot.slack.wait_for_calls("chat.postMessage")
    [ref] = bot.slack.wait_for(lambda: delivery_failures(caplog), message="the first log line")
    lost = bot.slack.wait_for(
        lambda: [r for r in caplog.records if ref in r.getMessage() and "lost" in r.getMessage()],
        message="the answer logged as lost",
    )
    assert lost[0].levelno == logging.ERROR


def test_an_answer_the_response_url_takes_goes_nowhere_else(start_bot) -> None:
    # The control: with a working response_url, no second route.
    gate = threading.Event()
    bot = start_bot(Core(gate=gate))
    bot.send.command(QUESTION, response_url=bot.slack.response_url("ok"))
    gate.set()
    [reply] = bot.slack.wait_for_calls("response_url")
    assert reply.status == 200 and ANSWER_START in reply.all_text()
    bot.settle()
    assert not bot.slack.calls_to("chat.postEphemeral")
    assert not bot.slack.calls_to("chat.postMessage")
