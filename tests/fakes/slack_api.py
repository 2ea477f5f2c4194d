"""A fake Slack Web API (and Socket Mode server) on 127.0.0.1, plus a sender of signed requests.

The bot under test talks to it exactly as to Slack: ``WebClient(base_url=fake.base_url)`` posts
JSON or form bodies with ``Authorization: Bearer xoxb-...``; ``response_url`` posts go to
``fake.response_url(...)``; Socket Mode gets its websocket URL from ``apps.connections.open``.
Every call is recorded with its parsed body, so tests poll for what the bot did::

    with FakeSlack() as slack:
        app = create_app(settings_for(slack), answer_fn)
        ...
        [call] = slack.wait_for_calls("chat.postMessage", 1)
        assert call.body["thread_ts"] == "1700000000.000100"

Served methods: ``auth.test``, ``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``,
``reactions.add`` / ``reactions.remove``, ``conversations.replies`` / ``conversations.history``,
``apps.connections.open``;
``rate_limit(method, ...)`` makes the next calls answer HTTP 429 with ``Retry-After`` and
``fail(method, error)`` makes them answer ``{"ok": false, "error": ...}``;
``fail_response_url(key, status)`` makes a ``response_url`` answer an HTTP error (404
``expired_url`` by default: a URL past its 30 minutes or its 5 uses). Messages are checked
against Slack's limits (50 blocks, 3,000 characters a section, 40,000 characters of text) and
rejected with ``invalid_blocks`` / ``msg_too_long`` as Slack would.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode

import pytest

T = TypeVar("T")

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"
API_APP_ID = "A0000001"

SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50
MAX_TEXT = 40_000


@dataclass
class Call:
    """One request the bot made: ``method`` is the Web API method, or ``response_url``."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    at: float
    path: str = ""

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    def texts(self) -> list[str]:
        """Every text string the message carries: the fallback and each block's text."""
        found: list[str] = []
        if isinstance(self.body.get("text"), str):
            found.append(self.body["text"])
        _collect_texts(self.blocks, found)
        return found

    def all_text(self) -> str:
        return "\n".join(self.texts())


def _collect_texts(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                _collect_texts(value, found)
    elif isinstance(node, list):
        for item in node:
            _collect_texts(item, found)


class FakeSlack:
    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        team_id: str = TEAM_ID,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.calls: list[Call] = []
        # channel -> messages (dicts as conversations.replies returns them)
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.reactions: set[tuple[str, str, str]] = set()
        self.not_in_channel: set[str] = set()
        # users.info / conversations.info answers, by id (see add_user / add_channel).
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, list[tuple[int, str, int]]] = {}
        # response_url path -> (HTTP status, body) for URLs that no longer work.
        self._dead_response_urls: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.socket: FakeSocketModeServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.stop()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def base_url_for(self, client: str) -> str:
        """The Web API under ``/CLIENT/api/``: calls made through it carry ``client`` in their
        ``Call.path``, so that tests can tell which of several bot processes made each one."""
        return f"http://127.0.0.1:{self.port}/{client}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"http://127.0.0.1:{self.port}/response/{key or uuid.uuid4().hex[:8]}"

    def enable_socket_mode(self) -> FakeSocketModeServer:
        self.socket = FakeSocketModeServer().start()
        return self.socket

    # --- scripting -----------------------------------------------------------------------------

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls to ``method`` get HTTP 429 with ``Retry-After``."""
        with self._lock:
            self._failures.setdefault(method, []).extend(
                [(429, "ratelimited", retry_after)] * times
            )

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        """The next ``times`` calls to ``method`` answer ``{"ok": false, "error": error}``
        (e.g. ``fail("users.info", "user_not_found")``)."""
        with self._lock:
            self._failures.setdefault(method, []).extend([(200, error, 0)] * times)

    def fail_response_url(self, key: str, status: int = 404, body: str = "expired_url") -> None:
        """Every post to ``response_url(key)`` from now on answers HTTP ``status`` with
        ``body`` (Slack answers a plain-text error, e.g. ``expired_url`` or ``used_url``)."""
        with self._lock:
            self._dead_response_urls[f"/response/{key}"] = (status, body)

    def add_user(
        self, user_id: str, name: str, *, real_name: str = "", display_name: str = ""
    ) -> dict[str, Any]:
        """A workspace member, as ``users.info`` returns it (abridged to the fields read)."""
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": real_name,
            "is_bot": False,
            "profile": {
                "real_name": real_name,
                "real_name_normalized": real_name,
                "display_name": display_name,
                "display_name_normalized": display_name,
                "team": self.team_id,
            },
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, private: bool = False) -> dict[str, Any]:
        """A conversation, as ``conversations.info`` returns it (abridged)."""
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": not private,
            "is_group": private,
            "is_im": False,
            "is_private": private,
            "is_archived": False,
            "name_normalized": name,
        }
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "UHUMAN01",
        ts: str | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A message already in the channel (as a person wrote it), for conversations.replies."""
        message = {"type": "message", "user": user, "text": text, "ts": ts or self.next_ts()}
        if thread_ts:
            message["thread_ts"] = thread_ts
        message.update(extra)
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return message

    # --- inspection ------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, condition: Callable[[], T], timeout: float = 10.0, message: str = "") -> T:
        """Poll ``condition`` until it returns something truthy (listeners finish later)."""
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {message or condition}; "
                    f"calls so far: {[c.method for c in self.calls]}"
                )
            time.sleep(0.02)

    def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        def found() -> list[Call]:
            calls = [c for c in self.calls_to(method) if where is None or where(c)]
            return calls if len(calls) >= count else []

        return self.wait_for(found, timeout, f"{count} call(s) to {method}")

    def posted(self, channel: str | None = None) -> list[Call]:
        """Successful chat.postMessage calls (optionally in ``channel``)."""
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if c.status == 200
            and c.body.get("_ok", True)
            and (channel is None or c.body.get("channel") == channel)
        ]

    # --- request handling (called on the server's threads) -----------------------------------

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _take_failure(self, method: str) -> tuple[int, str, int] | None:
        with self._lock:
            queue = self._failures.get(method)
            return queue.pop(0) if queue else None

    def _handle_api(
        self, method: str, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        failure = self._take_failure(method)
        if failure is not None:
            status, error, retry_after = failure
            extra = {"Retry-After": str(retry_after)} if status == 429 else {}
            return status, {"ok": False, "error": error}, extra
        token = headers.get("authorization", "").removeprefix("Bearer ").strip() or str(
            body.get("token", "")
        )
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return 200, {"ok": False, "error": "invalid_auth" if token else "not_authed"}, {}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return 200, handler(body), {}

    def _api_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake-team.slack.com/",
            "team": "Fake Team",
            "user": "newsdesk",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _api_apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.socket is None:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.socket.url}

    def _check_message(self, body: dict[str, Any]) -> str | None:
        channel = body.get("channel")
        if not channel:
            return "channel_not_found"
        if channel in self.not_in_channel:
            return "not_in_channel"
        blocks = body.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        text = body.get("text") or ""
        if not text and not blocks:
            return "no_text"
        if len(text) > MAX_TEXT:
            return "msg_too_long"
        if blocks:
            if len(blocks) > MAX_BLOCKS:
                return "invalid_blocks"
            for block in blocks:
                section_text = (block.get("text") or {}).get("text", "")
                if block.get("type") == "section" and len(section_text) > SECTION_TEXT_LIMIT:
                    return "invalid_blocks"
            if len(json.dumps(blocks)) > 12_000:
                return "invalid_blocks"
        return None

    def _api_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message(body)
        if error:
            body["_ok"] = False
            return {"ok": False, "error": error}
        ts = self.next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": API_APP_ID,
            "text": body.get("text") or "",
            "ts": ts,
        }
        blocks = body.get("blocks")
        if blocks:
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        if body.get("metadata"):
            metadata = body["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        with self._lock:
            self.messages.setdefault(body["channel"], []).append(message)
        return {"ok": True, "channel": body["channel"], "ts": ts, "message": message}

    def _api_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message(body)
        if error:
            return {"ok": False, "error": error}
        with self._lock:
            for message in self.messages.get(body["channel"], []):
                if message["ts"] == body.get("ts"):
                    message["text"] = body.get("text") or ""
                    return {"ok": True, "channel": body["channel"], "ts": message["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def _api_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message(body)
        if error:
            return {"ok": False, "error": error}
        if not body.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self.next_ts()}

    def _api_reactions_add(self, body: dict[str, Any]) -> dict[str, Any]:
        key = (str(body.get("channel")), str(body.get("timestamp")), str(body.get("name")))
        with self._lock:
            if key in self.reactions:
                return {"ok": False, "error": "already_reacted"}
            self.reactions.add(key)
        return {"ok": True}

    def _api_reactions_remove(self, body: dict[str, Any]) -> dict[str, Any]:
        key = (str(body.get("channel")), str(body.get("timestamp")), str(body.get("name")))
        with self._lock:
            if key not in self.reactions:
                return {"ok": False, "error": "no_reaction"}
            self.reactions.discard(key)
        return {"ok": True}

    def _api_users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            user = self.users.get(str(body.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": json.loads(json.dumps(user))}

    def _api_conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            channel = self.channels.get(str(body.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": json.loads(json.dumps(channel))}

    def _api_conversations_replies(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        include_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            thread = [
                dict(m)
                for m in self.messages.get(channel, [])
                if m["ts"] == ts or m.get("thread_ts") == ts
            ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        thread.sort(key=lambda m: m["ts"])
        if not include_metadata:
            for m in thread:
                m.pop("metadata", None)
        return {"ok": True, "messages": thread, "has_more": False}

    def _api_conversations_history(self, body: dict[str, Any]) -> dict[str, Any]:
        # Newest first, the channel's own messages (thread replies are not in its history).
        channel, oldest = str(body.get("channel", "")), str(body.get("oldest", "0"))
        include_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(body.get("limit") or 100)
        with self._lock:
            if channel not in self.messages and channel not in self.channels:
                return {"ok": False, "error": "channel_not_found"}
            found = [
                dict(m)
                for m in self.messages.get(channel, [])
                if float(m["ts"]) > float(oldest) and m.get("thread_ts") in (None, m["ts"])
            ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        if not include_metadata:
            for m in found:
                m.pop("metadata", None)
        return {"ok": True, "messages": found[:limit], "has_more": len(found) > limit}


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw.decode("utf-8"))
        return data if isinstance(data, dict) else {"_": data}
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(raw.decode("utf-8")).items()}


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            body = _parse_body(raw, headers.get("content-type", ""))
            path = self.path.split("?", 1)[0]
            if path.startswith("/response/"):
                with fake._lock:
                    status, text = fake._dead_response_urls.get(path, (200, "ok"))
                fake._record(Call("response_url", body, headers, status, time.monotonic(), path))
                self._send(status, text.encode(), "text/plain")
                return
            # /api/METHOD, or /CLIENT/api/METHOD (base_url_for).
            prefix, api, method = path.partition("/api/")
            if not api or prefix.count("/") > 1:
                self._send(404, b"not found", "text/plain")
                return
            status, payload, extra = fake._handle_api(method, body, headers)
            fake._record(Call(method, body, headers, status, time.monotonic(), path))
            self._send(status, json.dumps(payload).encode(), "application/json", extra)

        def _send(
            self,
            status: int,
            data: bytes,
            content_type: str,
            extra: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


# --- Socket Mode -----------------------------------------------------------------------------


class FakeSocketModeServer:
    """Slack's Socket Mode endpoint: sends ``hello`` on connect, then envelopes; records acks."""

    def __init__(self) -> None:
        from websockets.sync.server import serve

        self.acks: list[dict[str, Any]] = []
        self.connections: list[Any] = []
        self._lock = threading.Lock()
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4().hex}&app_id={API_APP_ID}"

    def start(self) -> FakeSocketModeServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def _handle(self, connection: Any) -> None:
        with self._lock:
            self.connections.append(connection)
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake", "build_number": 1, "approximate_connection_time": 3600},
            "connection_info": {"app_id": API_APP_ID},
        }
        connection.send(json.dumps(hello))
        try:
            for raw in connection:
                data = json.loads(raw)
                with self._lock:
                    self.acks.append(data)
        except Exception:  # the client went away: nothing to record
            return

    def send_raw(self, message: str) -> None:
        """Send ``message`` as it is (a websocket text frame) to every connected client."""
        with self._lock:
            connections = list(self.connections)
        for connection in connections:
            connection.send(message)

    def send_event(self, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Send an ``events_api`` envelope to every connected client; returns its envelope id."""
        envelope_id = uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "",
        }
        with self._lock:
            connections = list(self.connections)
        for connection in connections:
            connection.send(json.dumps(envelope))
        return envelope_id


# --- Slack's side of the Events API: signed requests to the bot ------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def event_callback(
    event: dict[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID
) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": team_id,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class SlackSender:
    """Sends requests to the bot's HTTP endpoint the way Slack does: signed, with its headers."""

    def __init__(self, url: str, signing_secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.signing_secret = signing_secret

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.signing_secret, ts, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        request = urllib.request.Request(self.url, data=body, headers=all_headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                data = response.read()
                status = response.status
                got = dict(response.headers.items())
        except urllib.error.HTTPError as error:
            data = error.read()
            status = error.code
            got = dict(error.headers.items())
        return Response(status, data, time.perf_counter() - started, got)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **kwargs: Any,
    ) -> Response:
        body = json.dumps(event_callback(event, event_id=event_id)).encode()
        headers = dict(kwargs.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.post(body, "application/json", headers=headers, **kwargs)

    def command(self, text: str, *, response_url: str, **fields: str) -> Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "fake-team",
            "channel_id": "C0000001",
            "channel_name": "news",
            "user_id": "UHUMAN01",
            "user_name": "reader",
            "command": "/ask",
            "text": text,
            "api_app_id": API_APP_ID,
            "response_url": response_url,
            "trigger_id": "1337.42." + uuid.uuid4().hex[:8],
            **fields,
        }
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def action(self, payload: dict[str, Any]) -> Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")


def block_actions_payload(
    *,
    action: dict[str, Any],
    user: str = "UHUMAN01",
    channel: str = "C0000001",
    response_url: str,
    message: dict[str, Any] | None = None,
    ephemeral: bool = False,
) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it when a button is clicked."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": (message or {}).get("ts", "1700000000.999999"),
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "reader", "name": "reader", "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": "1337.42." + uuid.uuid4().hex[:8],
        "team": {"id": TEAM_ID, "domain": "fake-team"},
        "channel": {"id": channel, "name": "news"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "block_id": action.get("block_id", "nd_feedback"),
                "action_id": action["action_id"],
                "value": action.get("value", ""),
                "text": action.get("text", {"type": "plain_text", "text": "button"}),
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    if message is not None and not ephemeral:
        payload["message"] = message
    return payload


def find_button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    for block in blocks:
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return {**element, "block_id": block.get("block_id")}
    raise AssertionError(f"no button {action_id} in {json.dumps(blocks)[:500]}")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


class ServerThread:
    """Runs a waitress server (``create_server(...)``) on a thread, as a context manager."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        # The socket may be closed under the loop on shutdown.
        with contextlib.suppress(OSError):
            self.server.run()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}"

    def __enter__(self) -> ServerThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self.server.task_dispatcher.shutdown(timeout=2)
        self._thread.join(timeout=5)
