"""Helpful / not-helpful buttons under each answer: acknowledged, recorded, confirmed privately."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App

from bot.common.feedback import FeedbackRecord
from bot.slack.history import answer_text
from bot.slack.payloads import first_action, ident, obj, text
from bot.slack.render import FEEDBACK_ACTIONS, ButtonValue, render_notice
from bot.slack.service import SlackService
from bot.slack.transport import ephemeral

_ACTIONS = re.compile("^(" + "|".join(map(re.escape, FEEDBACK_ACTIONS)) + ")$")

log = logging.getLogger("newsdesk.slack")


def register(app: App, service: SlackService) -> None:
    @app.action(_ACTIONS)
    def on_feedback(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if not service.first_click(body):
            return
        record_feedback(service, body)


def record_feedback(service: SlackService, body: Mapping[str, Any]) -> None:
    """Record the verdict (with the answer it is about, when remembered) and say thanks."""
    action = first_action(body)
    verdict = FEEDBACK_ACTIONS[text(action, "action_id")]
    value = ButtonValue.decode(text(action, "value"))
    answer = service.answers.get(value.answer_id)
    message = obj(body, "message")
    container = obj(body, "container")
    user = ident(body, "user")
    channel = ident(body, "channel") or text(container, "channel_id")
    record = FeedbackRecord(
        verdict=verdict,  # type: ignore[arg-type]
        user=user,
        question=answer.question if answer else value.question,
        answer=answer.text if answer else answer_text(message),
        prompt_id=answer.prompt_id if answer else value.prompt_id,
        generator=answer.generator if answer else "",
        status=answer.status if answer else "",
        answer_id=value.answer_id,
        channel=channel,
        message_ts=text(message, "ts") or text(container, "message_ts"),
    )
    try:
        service.feedback.record(record)
    except OSError:
        log.exception("Could not write feedback to %s", service.feedback.where)
        thanks = "Sorry, I couldn't record your feedback just now."
    else:
        log.info("Feedback %s from %s on answer %s", verdict, user, value.answer_id)
        thanks = "Thanks, your feedback was recorded."
    response_url = text(body, "response_url")
    if response_url:
        service.transport.respond(response_url, ephemeral(render_notice(thanks, emoji="")))
    elif channel and user:
        service.transport.post_ephemeral(channel, user, None, render_notice(thanks, emoji=""))
