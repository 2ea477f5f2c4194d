"""What Slack (or someone holding the signing secret) may send, shape by shape, over the real
HTTP endpoint: malformed bodies get a 400 and a one-line warning, events and actions the bot does
not handle get a 200 (Slack counts other replies against the app), and nothing gets a 5xx.

Payload shapes come from ``tests/fixtures/slack/`` (see its README).
"""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from bot.slack.runner import MAX_BODY_BYTES
from tests.integration.slack_bot import Bot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def form(payload: str) -> bytes:
    return urlencode({"payload": payload}).encode()


MALFORMED = [
    (b'{"type": "event_callback", "event": {', "application/json"),
    (b"[1,2,3]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"\xff\xfe not utf-8", "application/json"),
    (form("{not json"), "application/x-www-form-urlencoded"),
    (form("[1]"), "application/x-www-form-urlencoded"),
    (b'{"type": "event_callback", "event": [1, 2]}', "application/json"),
    (b'{"type": "event_callback", "event": {"type": "app_mention", "user": {"id": 5}}}', "x/y"),
    (form('{"type": "block_actions", "actions": "click"}'), "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_signed_malformed_bodies_get_400_and_one_warning(
    start_bot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    # Row "Signed but malformed requests crash a handler".
    caplog.set_level(logging.INFO)
    bot: Bot = start_bot()
    response = bot.send.post(body, content_type)
    assert response.status == 400, response.body
    assert not tracebacks(caplog)
    # The app's own warnings (waitress adds "Task queue depth is N" when a loaded machine makes
    # a request wait for a thread: the server's note, not the app's handling).
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name != "waitress.queue"
    ]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    bot.settle(0.2)
    assert bot.core.calls == []


def test_unsigned_malformed_body_is_401_not_400(start_bot) -> None:
    bot: Bot = start_bot()
    assert bot.send.post(b"[1,2,3]", "application/json", signature="v0=00").status == 401


def test_app_rate_limited_is_acknowledged_and_logged_with_its_minute(
    start_bot, caplog: pytest.LogCaptureFixture
) -> None:
    # Row "Events Slack sends without asking get 404".
    caplog.set_level(logging.INFO)
    bot: Bot = start_bot()
    body = json.dumps(fixture("app_rate_limited.json")).encode()
    response = bot.send.post(body, "application/json")
    assert response.status == 200
    lines = [r.getMessage() for r in caplog.records if "rate" in r.getMessage().lower()]
    assert len(lines) == 1
    assert "2018-02-12 20:37 UTC" in lines[0]  # minute_rate_limited 1518467820
    assert not tracebacks(caplog)


@pytest.mark.parametrize(
    "name", ["events/app_home_opened.json", "events/assistant_thread_started.json"]
)
def test_events_the_bot_does_not_handle_get_200(
    start_bot, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.INFO)
    bot: Bot = start_bot()
    response = bot.send.post(json.dumps(fixture(name)).encode(), "application/json")
    assert response.status == 200
    assert any("not handled" in r.getMessage() for r in caplog.records)
    assert not tracebacks(caplog)


def test_a_button_the_bot_does_not_own_gets_200(start_bot) -> None:
    bot: Bot = start_bot()
    payload = fixture("interactivity/block_actions_unknown_button.json")
    assert bot.send.action(payload).status == 200
    bot.settle(0.2)
    assert [c.method for c in bot.slack.calls] == ["auth.test"]  # (at start-up) and nothing else


def test_ssl_check_and_url_verification(start_bot) -> None:
    bot: Bot = start_bot()
    ssl = urlencode(fixture("ssl_check.json")).encode()
    assert bot.send.post(ssl, "application/x-www-form-urlencoded").status == 200
    challenge = fixture("url_verification.json")
    response = bot.send.post(json.dumps(challenge).encode(), "application/json")
    assert response.json() == {"challenge": challenge["challenge"]}


def test_a_slash_command_whose_text_says_payload_is_answered(start_bot) -> None:
    # Bolt reads any form body containing the word "payload" as interactivity and finds nothing.
    bot: Bot = start_bot()
    fields = {**fixture("commands/slash_command_ask_payload_word.json")}
    fields["response_url"] = bot.slack.response_url("ask")
    response = bot.send.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")
    assert response.status == 200
    assert "Looking that up" in response.json()["text"]
    bot.slack.wait_for_calls("response_url")
    assert [q for q, _ in bot.core.calls] == ["what payload did the rocket carry?"]


def test_a_body_over_the_limit_is_refused_from_its_headers_and_the_bot_goes_on(start_bot) -> None:
    # Slack's payloads are far smaller; a bigger body is refused before any of it is read, so the
    # client may see the connection close before it has sent it all (as the fuzz test's does).
    bot: Bot = start_bot()
    url = urlsplit(bot.send.url)
    assert url.hostname and url.port
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(
            f"POST {url.path} HTTP/1.1\r\nHost: {url.hostname}\r\n".encode()
            + b"Content-Type: application/json\r\nX-Slack-Request-Timestamp: 1\r\n"
            + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
            + b"{" * 1000
        )
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head
    bot.mention()
    bot.slack.wait_for_calls("chat.postMessage")
    assert len(bot.core.calls) == 1
