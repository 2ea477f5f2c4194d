"""The "Share in channel" button under a private ``/ask`` answer: post it publicly, then remove
the private copy."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError

from bot.common.deadline import AnswerFailed, new_reference
from bot.slack.payloads import first_action, ident, obj, text
from bot.slack.render import ACTION_SHARE, ButtonValue, render_answer, render_notice
from bot.slack.service import SlackService
from bot.slack.transport import MAX_RESPONSE_URL_POSTS, ephemeral, fit, slack_error

log = logging.getLogger("newsdesk.slack")


def register(app: App, service: SlackService) -> None:
    @app.action(ACTION_SHARE)
    def on_share(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if not service.first_click(body):
            return
        value = ButtonValue.decode(text(first_action(body), "value"))
        if service.answers.get(value.answer_id) is not None:
            share(service, body)
        else:
            # Not remembered (the bot restarted): answering again is slow, so off Bolt's pool.
            service.submit(share, service, body)


def share(service: SlackService, body: Mapping[str, Any]) -> None:
    """Post the private answer publicly, then remove the private copy."""
    transport = service.transport
    value = ButtonValue.decode(text(first_action(body), "value"))
    user = ident(body, "user")
    channel = ident(body, "channel") or text(obj(body, "container"), "channel_id")
    response_url = text(body, "response_url")
    answer = service.answers.get(value.answer_id)
    try:
        if answer is None:
            if not value.question:
                expired = render_notice("This answer has expired: please /ask again.")
                transport.respond(response_url, ephemeral(expired))
                return
            # The process restarted since the answer was given: answer again.
            answer = service.call_answer(value.question, ())
    except AnswerFailed as exc:
        transport.respond(response_url, ephemeral(render_notice(exc.user_message)))
        return
    answer_id = service.remember(answer, value.answer_id)
    messages = render_answer(answer, answer_id=answer_id, show_question=True, shared_by=user)
    try:
        service.post(channel, None, messages, answer_id, answer.question)
    except SlackApiError as exc:
        if slack_error(exc) not in ("not_in_channel", "channel_not_found"):
            ref = new_reference()
            log.exception("Sharing in %s failed (ref %s)", channel, ref)
            notice = f"Sorry, I couldn't share the answer here. (ref {ref})"
            transport.respond(response_url, ephemeral(render_notice(notice)))
            return
        # The bot is not a member here (or it is a DM between people): the response_url can
        # still post in the channel, as the app.
        for message in fit(messages, MAX_RESPONSE_URL_POSTS):
            payload = {**message, "response_type": "in_channel", "replace_original": False}
            if not transport.respond(response_url, payload):
                return
    transport.respond(response_url, {"delete_original": True})
