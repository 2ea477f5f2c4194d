"""Socket Mode with the defensive reading HTTP mode has (:mod:`bot.slack.http`).

Over Socket Mode, Slack's messages arrive as websocket text frames: an envelope
(``envelope_id``, ``type``, ``payload``) that must be acknowledged with its id. slack_sdk parses
each frame and Bolt reads the payload trusting Slack's shapes: a frame that is not JSON, or a
payload of the wrong shape, ends in a traceback in the log and no acknowledgement (so Slack sends
it again). Here every frame is read first:

* not JSON, or not an object, or an envelope id that is not a string: one warning, dropped
  (there is no usable id to acknowledge);
* an envelope without a payload object, or whose payload is not of Slack's shapes
  (:func:`bot.slack.payloads.check_payload`, the same check as HTTP's): one warning and an
  empty acknowledgement, and no listener runs.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack.payloads import Malformed, check_payload, json_type_name

log = logging.getLogger("newsdesk.slack")

# Messages from Slack that are not envelopes (nothing to acknowledge).
_CONTROL_TYPES = ("hello", "disconnect")


def envelope_problem(message: Any) -> str | None:
    """Why a parsed websocket message cannot be processed at all, or None."""
    if not isinstance(message, dict):
        return f"a JSON {json_type_name(message)}, not an object"
    if "envelope_id" in message and not isinstance(message["envelope_id"], str):
        return "its envelope_id is not a string"
    return None


class GuardedSocketModeClient(SocketModeClient):
    """slack_sdk's built-in client, reading each frame before it is queued."""

    def enqueue_message(self, message: str) -> None:
        # Called on the thread that reads the socket: nothing slow, nothing sent from here.
        try:
            parsed = json.loads(message)
        except ValueError as exc:
            reason = f"not valid JSON ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else ""
            log.warning(
                "Ignored a Socket Mode message that is %s (%d characters)",
                reason or "not valid JSON",
                len(message),
            )
            return
        problem = envelope_problem(parsed)
        if problem is not None:
            log.warning("Ignored a Socket Mode message: %s", problem)
            return
        envelope_id = parsed.get("envelope_id")
        payload = parsed.get("payload")
        if (
            envelope_id
            and parsed.get("type") not in _CONTROL_TYPES
            and not isinstance(payload, dict)
        ):
            what = "no payload" if payload is None else f"a JSON {type(payload).__name__} payload"
            log.warning("Acknowledged a Socket Mode %s envelope with %s", parsed.get("type"), what)
            # Sent from the workers' pool, as every acknowledgement is.
            self.message_workers.submit(
                self.send_socket_mode_response, SocketModeResponse(envelope_id=envelope_id)
            )
            return
        super().enqueue_message(message)


class GuardedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode adapter, with :class:`GuardedSocketModeClient` and each envelope's
    payload checked before Bolt reads it."""

    def __init__(self, app: App, app_token: str, logger: logging.Logger | None = None) -> None:
        # SocketModeHandler.__init__ builds (and starts) a plain client: do what it does, with
        # the guarded one.
        self.app = app
        self.app_token = app_token
        self.client = GuardedSocketModeClient(
            app_token=app_token,
            logger=logger if logger is not None else app.logger,
            web_client=app.client,
            proxy=app.client.proxy,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        try:
            check_payload(req.payload, "the envelope's payload")
        except Malformed as exc:
            log.warning(
                "Acknowledged a Socket Mode %s envelope that is not a Slack payload: %s",
                req.type,
                exc,
            )
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        super().handle(client, req)
