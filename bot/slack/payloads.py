"""Reading a request body from Slack defensively: JSON or form in, a payload dict or a reason out.

Bolt parses the body when it builds its request, before any listener or middleware runs, and
assumes Slack's shapes while doing so: a truncated JSON body, a JSON array or a non-JSON
interactivity ``payload=`` raise inside it (HTTP 500 and a traceback). This module parses first,
with the same rules as Bolt, and checks the JSON type of every field that Bolt or the listeners
read, so that a body which passed the signature check is either a payload of Slack's shapes or a
:class:`Malformed` with a one-line reason (HTTP 400).

One place where Bolt's own parsing goes wrong is corrected: any form body containing the text
``payload`` (a slash command asking "what payload did the rocket carry?") is read by Bolt as an
interactivity request without one, so the command is lost; :func:`parse_body` reads the form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

NoneType = type(None)
# JSON types per field name, wherever the field appears in the parts of a payload that are
# walked (see _NESTED). A field absent from this table is not read by anyone and is not checked.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "type": (str, NoneType),
    "callback_id": (str, NoneType),
    "subtype": (str, NoneType),
    "token": (str, NoneType),
    "team_id": (str, NoneType),
    "enterprise_id": (str, NoneType),
    "api_app_id": (str, NoneType),
    "event_id": (str, NoneType),
    "user_id": (str, NoneType),
    "channel_id": (str, NoneType),
    "channel_type": (str, NoneType),
    "command": (str, NoneType),
    "trigger_id": (str, NoneType),
    "response_url": (str, NoneType),
    "challenge": (str, NoneType),
    "id": (str, NoneType),
    "ts": (str, NoneType),
    "thread_ts": (str, NoneType),
    "event_ts": (str, NoneType),
    "message_ts": (str, NoneType),
    "action_ts": (str, NoneType),
    "action_id": (str, NoneType),
    "block_id": (str, NoneType),
    "value": (str, NoneType),
    "bot_id": (str, NoneType),
    "user_team": (str, NoneType),
    "client_msg_id": (str, NoneType),
    # Text is a string in messages and a text object ({"type": "plain_text", ...}) in actions.
    "text": (str, dict, NoneType),
    # A string id in events, an object with an id in interactivity payloads.
    "user": (str, dict, NoneType),
    "channel": (str, dict, NoneType),
    "team": (str, dict, NoneType),
    "enterprise": (str, dict, NoneType),
    "event": (dict,),
    "message": (dict, NoneType),
    "previous_message": (dict, NoneType),
    "root": (dict, NoneType),
    "item": (dict, NoneType),
    "assistant_thread": (dict, NoneType),
    "function_data": (dict, NoneType),
    "container": (dict, NoneType),
    "view": (dict, NoneType),
    "edited": (dict, NoneType),
    "metadata": (dict, NoneType),
    "authorizations": (list, NoneType),
    "actions": (list, NoneType),
    "response_urls": (list, NoneType),
    "blocks": (list, NoneType),
    "files": (list, NoneType),
    "is_ext_shared_channel": (bool, NoneType),
    "is_enterprise_install": (bool, str, NoneType),
    "minute_rate_limited": (int, NoneType),
}
# Objects walked into (and lists whose items must be objects that are walked into).
_NESTED = {
    "event",
    "message",
    "previous_message",
    "root",
    "item",
    "assistant_thread",
    "container",
    "edited",
    "user",
    "channel",
    "team",
    "enterprise",
}
_NESTED_LISTS = {"authorizations", "actions", "response_urls"}
_JSON_NAMES = {
    str: "string",
    dict: "object",
    list: "array",
    bool: "boolean",
    int: "number",
    float: "number",
    NoneType: "null",
}
MAX_DEPTH = 6


class Malformed(ValueError):
    """The body is not a Slack payload; ``str(exc)`` is a one-line reason for the log."""


def parse_body(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The payload of a request body, as Bolt would read it; raises :class:`Malformed`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"the body is not UTF-8 (byte {exc.start})") from None
    if not text:
        raise Malformed("the body is empty")
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/json" or text.startswith("{"):
        payload = _json(text, "the JSON body")
    else:
        form = dict(parse_qsl(text, keep_blank_values=True))
        payload = _json(form["payload"], "the form's payload") if "payload" in form else form
    return check_payload(payload)


def check_payload(payload: object, what: str = "the payload") -> dict[str, Any]:
    """``payload`` (already parsed JSON, e.g. from a Socket Mode envelope) when it has Slack's
    shapes; raises :class:`Malformed`."""
    if not isinstance(payload, dict):
        raise Malformed(f"{what} is a JSON {json_type_name(payload)}, not an object")
    check_shape(payload)
    check_required(payload)
    return payload


# Fields Bolt's listener matchers index without a check, by payload type.
_CALLBACK_ID_TYPES = {
    "shortcut",
    "message_action",
    "interactive_message",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
    "workflow_step_edit",
}


def check_required(payload: Mapping[str, Any]) -> None:
    """Raise :class:`Malformed` when a field that Bolt's matchers index is missing."""
    kind = payload.get("type")
    if kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise Malformed("an event_callback without event.type")
    elif kind == "block_actions":
        actions = payload.get("actions")
        if (
            not isinstance(actions, list)
            or not actions
            or not all(isinstance(a.get("action_id"), str) for a in actions)
        ):
            raise Malformed("block_actions without an action_id for each action")
    elif kind == "block_suggestion":
        if not isinstance(payload.get("action_id"), str):
            raise Malformed("block_suggestion without action_id")
    elif kind in _CALLBACK_ID_TYPES:
        if not isinstance(payload.get("callback_id"), str):
            raise Malformed(f"{kind} without callback_id")
    elif kind in ("view_submission", "view_closed", "workflow_step"):
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            raise Malformed(f"{kind} without view.callback_id")
    if "command" in payload and not isinstance(payload.get("command"), str):
        raise Malformed("command is not a string")


# --- reading fields without trusting their types -----------------------------------------------


def obj(container: Mapping[str, Any] | None, key: str) -> Mapping[str, Any]:
    """``container[key]`` when it is an object, else an empty one."""
    value = container.get(key) if isinstance(container, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def text(container: Mapping[str, Any] | None, key: str) -> str:
    """``container[key]`` when it is a string, else ``""``."""
    value = container.get(key) if isinstance(container, Mapping) else None
    return value if isinstance(value, str) else ""


def ident(container: Mapping[str, Any] | None, key: str) -> str:
    """An id that Slack sends either as a string or as an object with an ``id``."""
    value = container.get(key) if isinstance(container, Mapping) else None
    if isinstance(value, Mapping):
        return text(value, "id")
    return value if isinstance(value, str) else ""


def first_action(body: Mapping[str, Any]) -> Mapping[str, Any]:
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], Mapping):
        return actions[0]
    return {}


def _json(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Malformed(f"{what} is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except ValueError:  # e.g. a number too long to convert
        raise Malformed(f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise Malformed(f"{what} is a JSON {json_type_name(value)}, not an object")
    return value


def check_shape(payload: Mapping[str, Any], path: str = "", depth: int = 0) -> None:
    """Raise :class:`Malformed` when a field that is read has the wrong JSON type."""
    if depth > MAX_DEPTH:
        return
    for key, value in payload.items():
        where = f"{path}.{key}" if path else key
        allowed = _FIELD_TYPES.get(key)
        if allowed is None:
            continue
        # bool is an int in Python; a number field must not take true/false, nor a text one.
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise Malformed(
                f"{where} is a JSON {json_type_name(value)}, expected {_names(allowed)}"
            )
        if key in _NESTED and isinstance(value, dict):
            check_shape(value, where, depth + 1)
        elif key in _NESTED_LISTS and isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    raise Malformed(f"{where}[{i}] is a JSON {json_type_name(item)}, not an object")
                check_shape(item, f"{where}[{i}]", depth + 1)


def json_type_name(value: object) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _names(types: tuple[type, ...]) -> str:
    return " or ".join(dict.fromkeys(_JSON_NAMES[t] for t in types))
