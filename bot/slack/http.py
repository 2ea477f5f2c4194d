"""The HTTP transport: ``POST /slack/events`` to Bolt, with the checks Bolt does too late.

Bolt parses a request's body before it checks the signature, and raises on a body that is not a
Slack payload (HTTP 500 and a traceback for anyone who can send bytes). Here the signature is
checked first (401), then the body is read by :func:`bot.slack.payloads.parse_body` (400 and one
log line when it is malformed), and only then is the request handed to Bolt, which checks the
signature again as it always does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request.internals import build_context

from bot.slack.payloads import Malformed, parse_body

log = logging.getLogger("newsdesk.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

# Slack's rule: a request more than 5 minutes old (or early) is a replay.
MAX_CLOCK_SKEW_SECONDS = 60 * 5

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def signature_valid(secret: bytes, raw: bytes, timestamp: str, signature: str) -> bool:
    """Slack's ``v0`` signature over the raw bytes (slack_sdk's verifier decodes them first, which
    fails on bytes that are not UTF-8)."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _read_body(environ: dict[str, Any]) -> bytes:
    # Bytes, not Bolt's get_body(): that one decodes before the signature is checked.
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH") or "0"
    if stream is None or not length.isdigit():
        return b""
    data: bytes = stream.read(int(length))
    return data


def make_wsgi_app(app: App, signing_secret: str, ready: threading.Event | None = None) -> WSGIApp:
    """``/slack/events`` to Bolt; ``/healthz`` (alive) and ``/readyz`` answered here; anything
    else 404.

    ``ready`` (None: ready at once) is set once the answering core is warm. Until then
    ``/readyz`` and ``/slack/events`` answer 503: a load balancer sends no traffic yet, and an
    event that still arrives is retried by Slack later instead of waiting behind the warm-up.
    """
    secret = signing_secret.encode()

    def is_ready() -> bool:
        return ready is None or ready.is_set()

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _json(start_response, "200 OK", {"ok": True})
        if path == READY_PATH and method in ("GET", "HEAD"):
            if is_ready():
                return _json(start_response, "200 OK", {"ok": True, "ready": True})
            return _json(start_response, "503 Service Unavailable", {"ok": False, "ready": False})
        if path != EVENTS_PATH:
            return _json(start_response, "404 Not Found", {"error": "not found"})
        if method != "POST":
            return _json(start_response, "405 Method Not Allowed", {"error": "POST only"})
        if not is_ready():
            return _json(start_response, "503 Service Unavailable", {"error": "starting"})
        request = WsgiHttpRequest(environ)
        raw = _read_body(environ)
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        # A non-numeric timestamp is a bad signature (Bolt would answer it with a 500).
        if not signature_valid(secret, raw, timestamp, signature):
            return _json(start_response, "401 Unauthorized", {"error": "invalid request"})
        try:
            payload = parse_body(raw, environ.get("CONTENT_TYPE"))
        except Malformed as exc:
            log.warning("Rejected a signed request that is not a Slack payload: %s", exc)
            return _json(start_response, "400 Bad Request", {"error": "malformed payload"})
        bolt_request = BoltRequest(
            body=raw.decode("utf-8"), query=request.query_string, headers=request.get_headers()
        )
        if bolt_request.body != payload:
            # Bolt misread the body (see bot.slack.payloads): give it the payload as read here.
            bolt_request.body = payload
            bolt_request.context = build_context(bolt_request.context, payload)
        response = app.dispatch(bolt_request)
        out = WsgiHttpResponse(status=response.status, headers=response.headers, body=response.body)
        start_response(out.status, out.get_headers())
        return out.get_body()

    return wsgi
