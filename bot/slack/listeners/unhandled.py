"""Everything no other listener takes: acknowledged with a 200 and one line in the log.

Slack sends some requests whether or not the app asked for them (``app_rate_limited``), others
because of how the app is configured (``app_home_opened``, ``assistant_thread_started``, a button
in an old message). A 404 or a 500 counts towards Slack disabling the app's event delivery and is
retried, so Bolt's "unhandled request" (``raise_error_for_unhandled_request=True``) is answered
200 here. Any other error reaching Bolt's error handler is a bug: logged with its traceback and a
reference.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from bot.common.deadline import new_reference

log = logging.getLogger("newsdesk.slack")


def describe(body: dict[str, Any]) -> str:
    """A short name for what Slack sent: ``event app_home_opened``, ``block_actions approve``."""
    kind = str(body.get("type") or body.get("command") or "request")
    event = body.get("event")
    if isinstance(event, dict):
        return f"event {event.get('type')}" + (
            f" ({event['subtype']})" if event.get("subtype") else ""
        )
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        return f"{kind} {actions[0].get('action_id')}"
    return kind


def rate_limited_minute(body: dict[str, Any]) -> str:
    minute = body.get("minute_rate_limited")
    if isinstance(minute, int) and not isinstance(minute, bool) and 0 <= minute < 2**33:
        return datetime.fromtimestamp(minute, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "an unnamed minute"


def register(app: App) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            if body.get("type") == "app_rate_limited":
                log.warning(
                    "Slack rate-limited this app's events for the minute of %s: events of that "
                    "minute were not delivered",
                    rate_limited_minute(body),
                )
            else:
                log.info("Acknowledged, not handled: %s", describe(body))
            return BoltResponse(status=200, body="")
        reference = new_reference()
        log.error("Listener failed on %s (ref %s)", describe(body), reference, exc_info=error)
        return None
