"""The "Share in channel" button under a private ``/ask`` answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.payloads import first_action, text
from bot.slack.render import ACTION_SHARE, ButtonValue
from bot.slack.service import SlackService


def register(app: App, service: SlackService) -> None:
    @app.action(ACTION_SHARE)
    def on_share(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if not service.first_click(body):
            return
        value = ButtonValue.decode(text(first_action(body), "value"))
        if service.answers.get(value.answer_id) is not None:
            service.share(body)
        else:
            # Not in memory (the bot restarted): answering again is slow, so off Bolt's pool.
            service.submit(service.share, body)
