"""Posting to a ``response_url`` a stranger sent: every failure is a False and a log line, never
an exception out of the background answer."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.slack.transport import SlackTransport


@pytest.fixture
def not_http() -> Iterator[str]:
    """A server on 127.0.0.1 that answers every request with a line that is not HTTP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"HELLO\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    server.close()


def test_a_reply_that_is_not_http_is_a_failed_post(
    not_http: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport = SlackTransport(WebClient())
    with caplog.at_level(logging.WARNING):
        assert transport.respond(not_http, {"text": "an answer"}) is False
    assert "BadStatusLine" in caplog.text


def test_a_response_url_with_a_port_no_client_can_open_is_refused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = SlackTransport(WebClient())
    with caplog.at_level(logging.WARNING):
        assert transport.respond("http://127.0.0.1:45309%2", {"text": "an answer"}) is False
    assert "No usable response_url" in caplog.text
