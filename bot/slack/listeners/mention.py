"""``app_mention``: a question in a channel, answered in the message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.listeners.messages import on_message
from bot.slack.service import SlackService


def register(app: App, service: SlackService) -> None:
    @app.event("app_mention")
    def on_app_mention(event: dict[str, Any], context: BoltContext) -> None:
        # Events are acknowledged by Bolt before this runs (process_before_response=False).
        # A mention is a message that asks the bot by name: the same rules, always answered.
        on_message(service, event, context, mention=True)
