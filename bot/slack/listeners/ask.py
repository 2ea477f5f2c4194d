"""``/ask QUESTION``: acknowledged at once (privately), answered privately via ``response_url``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App

from bot.common.deadline import AnswerFailed
from bot.common.dedupe import dedupe_key
from bot.slack.payloads import text
from bot.slack.render import render_answer, render_notice, render_usage
from bot.slack.service import SlackService
from bot.slack.text import question_from_message, truncate
from bot.slack.transport import MAX_RESPONSE_URL_POSTS, ack_ephemeral, ephemeral, fit
from retrieval.text import http_url

COMMAND = "/ask"

log = logging.getLogger("newsdesk.slack")


def register(app: App, service: SlackService, command: str = COMMAND) -> None:
    @app.command(command)
    def on_ask_command(ack: Ack, command: dict[str, Any]) -> None:
        # on_ask only checks and queues the work, so ack() happens well within 3 seconds.
        ack(on_ask(service, command))


def on_ask(service: SlackService, command: Mapping[str, Any]) -> dict[str, Any]:
    """The immediate (ephemeral) acknowledgement of ``/ask``; starts the answer when there is
    one to give."""
    user = text(command, "user_id")
    channel = text(command, "channel_id")
    command_name = text(command, "command") or COMMAND
    response_url = text(command, "response_url")
    question = question_from_message(text(command, "text"), None)
    # trigger_id identifies one invocation; so does its response_url when it is missing.
    invocation = text(command, "trigger_id") or response_url
    if invocation and not service.replays.claim(dedupe_key("command", invocation)):
        log.info("Ignoring a repeated %s (%s)", command_name, invocation[:80])
        return {}
    if not question:
        return ack_ephemeral(render_usage(command_name))
    if channel and not service.channel_allowed(channel):
        return ack_ephemeral(render_notice(service.not_allowed_text(), emoji="", mrkdwn=True))
    if not http_url(response_url):
        log.warning("A %s without a usable response_url: not answered", command_name)
        return ack_ephemeral(render_notice("Sorry, I can't reply to that here. Please try again."))
    wait = service.limiter.acquire(user)
    if wait is not None:
        return ack_ephemeral(render_notice(service.limiter.message(wait), emoji=":hand:"))
    service.submit(lambda: answer_privately(service, question=question, response_url=response_url))
    return ack_ephemeral(
        render_notice(
            f"Looking that up: {truncate(question, 300)}", emoji=":hourglass_flowing_sand:"
        )
    )


def answer_privately(service: SlackService, *, question: str, response_url: str) -> None:
    """The answer, visible only to the asker, with a button to share it."""
    service.yield_to_requests()
    try:
        answer = service.call_answer(question, ())
    except AnswerFailed as exc:
        service.transport.respond(response_url, ephemeral(render_notice(exc.user_message)))
        return
    answer_id = service.remember(answer)
    messages = render_answer(
        answer, answer_id=answer_id, share=answer.status == "answered", show_question=True
    )
    for message in fit(messages, MAX_RESPONSE_URL_POSTS):
        if not service.transport.respond(response_url, ephemeral(message)):
            break
