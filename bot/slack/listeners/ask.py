"""``/ask QUESTION``: acknowledged at once (privately), answered privately via ``response_url``."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack.service import SlackService

COMMAND = "/ask"


def register(app: App, service: SlackService, command: str = COMMAND) -> None:
    @app.command(command)
    def on_ask(ack: Ack, command: dict[str, Any]) -> None:
        # on_ask only checks and queues the work, so ack() happens well within 3 seconds.
        ack(service.on_ask(command))
