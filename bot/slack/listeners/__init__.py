"""One module per listener, each registered on the Bolt app by its ``register(app, service)``."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import ask, feedback, mention, messages, share, unhandled
from bot.slack.service import SlackService

MODULES = (mention, messages, ask, share, feedback)


def register_all(app: App, service: SlackService) -> None:
    for module in MODULES:
        module.register(app, service)
    unhandled.register(app)
