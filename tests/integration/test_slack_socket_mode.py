"""Socket Mode against a local websocket server: ``apps.connections.open`` on the fake Web API
hands out its URL; the server sends ``hello`` and an ``events_api`` envelope and reads the ack."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.slack.runner import start_socket_mode
from bot.types import Answer
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, FakeSlack, event_callback


def answer_fn(question: str, history: object) -> Answer:
    return Answer(question=question, text=f"Answer to: {question}", status="answered")


def test_socket_mode_acks_the_envelope_and_answers_in_thread(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        socket = slack.enable_socket_mode()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            slack_api_url=slack.base_url,
            feedback_path=tmp_path / "feedback.db",
        )
        handler = start_socket_mode(settings, answer_fn)
        try:
            [opened] = slack.wait_for_calls("apps.connections.open")
            assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"
            slack.wait_for(lambda: socket.connections, message="a websocket connection")
            ts = slack.next_ts()
            event = {
                "type": "app_mention",
                "user": "UHUMAN01",
                "text": f"<@{BOT_USER_ID}> who won?",
                "ts": ts,
                "channel": "C0000001",
            }
            sent = time.monotonic()
            payload = event_callback(event)
            envelope_id = socket.send_event(payload)
            ack = slack.wait_for(
                lambda: next((a for a in socket.acks if a.get("envelope_id") == envelope_id), None),
                message="the envelope's ack",
            )
            assert time.monotonic() - sent < 3
            assert set(ack) <= {"envelope_id", "payload"}
            [post] = slack.wait_for_calls("chat.postMessage")
            assert post.body["thread_ts"] == ts
            assert post.body["text"] == "Answer to: who won?"

            # A redelivery over the socket (retry_attempt 1) is acked but not answered again.
            again = socket.send_event(payload, retry_attempt=1)
            slack.wait_for(lambda: any(a.get("envelope_id") == again for a in socket.acks))
            time.sleep(0.3)
            assert len(slack.calls_to("chat.postMessage")) == 1
        finally:
            handler.close()
            handler.app.close()  # type: ignore[attr-defined]


def test_run_socket_mode_announces_and_stops(tmp_path: Path) -> None:
    import threading

    from bot.slack.runner import run_socket_mode

    with FakeSlack() as slack:
        socket = slack.enable_socket_mode()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            slack_api_url=slack.base_url,
            feedback_path=tmp_path / "feedback.db",
        )
        said: list[str] = []
        stop = threading.Event()
        thread = threading.Thread(
            target=run_socket_mode,
            args=(settings, answer_fn),
            kwargs={"announce": said.append, "stop": stop},
        )
        thread.start()
        try:
            slack.wait_for(lambda: socket.connections, message="a websocket connection")
            slack.wait_for(lambda: said)
            assert "Socket Mode" in said[0]
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()


def envelope(kind: str, envelope_id: str, payload: Any) -> str:
    return json.dumps({"envelope_id": envelope_id, "type": kind, "payload": payload})


# Raw websocket messages and the envelope id each should be acknowledged with (None: nothing to
# acknowledge, as the message carries no usable envelope id).
MALFORMED_MESSAGES = [
    ('{"envelope_id": "e-cut", "type": "events_api", "payload": {"type": "event_c', None),
    ("[1, 2, 3]", None),
    ('"just a string"', None),
    (envelope("events_api", "e-list", [1, 2]), "e-list"),
    (envelope("events_api", "e-text", "event_callback"), "e-text"),
    (envelope("events_api", "e-event", {"type": "event_callback", "event": "x"}), "e-event"),
    (
        envelope(
            "events_api",
            "e-user",
            {"type": "event_callback", "event": {"type": "app_mention", "user": {"id": 5}}},
        ),
        "e-user",
    ),
    (
        envelope("interactive", "e-actions", {"type": "block_actions", "actions": "click"}),
        "e-actions",
    ),
    (envelope("slash_commands", "e-command", {"command": 5, "text": "who won?"}), "e-command"),
    (json.dumps({"envelope_id": "e-none", "type": "events_api"}), "e-none"),
    (json.dumps({"envelope_id": 7, "type": "events_api", "payload": {}}), None),
]


def test_malformed_socket_mode_messages_are_acknowledged_with_one_warning_each(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Point 3 of issue 9: Socket Mode gets the defensive reading HTTP has.
    caplog.set_level(logging.INFO)
    asked: list[str] = []

    def core(question: str, history: object) -> Answer:
        asked.append(question)
        return answer_fn(question, history)

    with FakeSlack() as slack:
        socket = slack.enable_socket_mode()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            slack_api_url=slack.base_url,
            feedback_path=tmp_path / "feedback.db",
        )
        handler = start_socket_mode(settings, core)
        try:
            slack.wait_for(lambda: socket.connections, message="a websocket connection")
            for message, _ in MALFORMED_MESSAGES:
                socket.send_raw(message)
            expected = {envelope_id for _, envelope_id in MALFORMED_MESSAGES if envelope_id}
            slack.wait_for(
                lambda: expected <= {a.get("envelope_id") for a in socket.acks},
                message="an ack for every malformed envelope",
            )
            # The connection still serves: a well-formed question after all that is answered.
            ts = slack.next_ts()
            event = {
                "type": "app_mention",
                "user": "UHUMAN01",
                "text": f"<@{BOT_USER_ID}> who won?",
                "ts": ts,
                "channel": "C0000001",
            }
            socket.send_event(event_callback(event))
            [post] = slack.wait_for_calls("chat.postMessage")
            assert post.body["thread_ts"] == ts
        finally:
            handler.close()
            handler.app.close()  # type: ignore[attr-defined]
    assert asked == ["who won?"]
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    malformed = [w for w in warnings if "Socket Mode" in w]
    assert len(malformed) == len(MALFORMED_MESSAGES), warnings
    assert all("\n" not in w for w in malformed)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
