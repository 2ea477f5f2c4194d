"""Helpful / not-helpful buttons under each answer: acknowledged, recorded, confirmed privately."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App

from bot.slack.render import FEEDBACK_ACTIONS
from bot.slack.service import SlackService

_ACTIONS = re.compile("^(" + "|".join(map(re.escape, FEEDBACK_ACTIONS)) + ")$")


def register(app: App, service: SlackService) -> None:
    @app.action(_ACTIONS)
    def on_feedback(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        if not service.first_click(body):
            return
        service.record_feedback(body)
