"""``message`` events: DMs (``message.im``) and follow-ups in threads the bot has answered.

Registered for every message subtype on purpose: an event with no matching listener gets a 404,
which Slack retries. Edits, deletions, joins and bot messages are acknowledged and ignored.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.service import SlackService


def register(app: App, service: SlackService) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], context: BoltContext) -> None:
        service.on_message(
            event, bot_user_id=context.bot_user_id, bot_id=context.bot_id, mention=False
        )
