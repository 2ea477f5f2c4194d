"""The Slack test harness: a deterministic core, the bot on its real HTTP endpoint (waitress on
127.0.0.1) against the fake Slack Web API, and helpers to send what Slack sends.

The ``slack`` and ``start_bot`` fixtures are registered in ``tests/integration/conftest.py``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.slack.app import NewsdeskApp, create_app
from bot.slack.runner import make_http_server
from bot.types import Answer, Citation, Turn
from tests.fakes.slack_api import (
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    ServerThread,
    SlackSender,
)

CHANNEL = "C0000001"
USER = "UHUMAN01"
QUESTION = "what did Johnson say about Russia?"
CITATION = Citation(
    number=1,
    article_id="000_9eb6b7462eed4b6d",
    title="G7 meeting: Russia and Syria could face 'further sanctions', says Boris Johnson",
    source="ITV News",
    url="https://www.itv.com/news/2017-04-10/g7",
    published_at="2017-04-10",
    quote="Russia needs a way out",
)
ANSWER_TEXT = 'Johnson said Russia "needs a way out and a way forward" [1].'


class Core:
    """A deterministic answering core that records what it was asked."""

    def __init__(
        self,
        text: str = ANSWER_TEXT,
        *,
        error: BaseException | None = None,
        gate: threading.Event | None = None,
        result: Answer | None = None,
    ) -> None:
        self.text = text
        self.error = error
        self.gate = gate
        self.result = result
        self.calls: list[tuple[str, tuple[Turn, ...]]] = []
        self._lock = threading.Lock()

    def __call__(self, question: str, history: Any) -> Answer:
        with self._lock:
            self.calls.append((question, tuple(history)))
        if self.gate is not None:
            self.gate.wait(10)
        if self.error is not None:
            raise self.error
        if self.result is not None:
            return self.result
        return Answer(
            question=question,
            text=self.text,
            status="answered",
            citations=(CITATION,),
            prompt_id="prompt123abc",
            generator="canned",
        )


@dataclass
class Bot:
    app: NewsdeskApp
    slack: FakeSlack
    send: SlackSender
    core: Core
    settings: Settings
    url: str
    feedback_path: Path
    _stack: list[Callable[[], None]] = field(default_factory=list)

    def mention(
        self, text: str = QUESTION, *, channel: str = CHANNEL, user: str = USER, **event: Any
    ) -> tuple[str, Any]:
        ts = event.pop("ts", None) or self.slack.next_ts()
        event_id = event.pop("event_id", None)
        payload = {
            "type": "app_mention",
            "user": user,
            "text": f"<@{BOT_USER_ID}> {text}",
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            **event,
        }
        return ts, self.send.event(payload, event_id=event_id)

    def settle(self, seconds: float = 0.4) -> None:
        """Give background work time to (wrongly) do something more."""
        time.sleep(seconds)


def settings_for(slack: FakeSlack, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "slack_api_url": slack.base_url,
        "feedback_path": tmp_path / "feedback.db",
        "store_path": tmp_path / "store",
        "slack_rate_limit_per_minute": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def slack_fixture() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def start_bot_fixture(slack: FakeSlack, tmp_path: Path) -> Iterator[Callable[..., Bot]]:
    started: list[tuple[NewsdeskApp, ServerThread]] = []

    def start(
        core: Core | None = None,
        *,
        answer_timeout: float | None = None,
        workers: int = 4,
        state: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> Bot:
        """``state``: create_app's shared-state arguments (dedupe, limiter, answers ...);
        ``overrides``: settings."""
        core = core or Core()
        settings = settings_for(slack, tmp_path, **overrides)
        app = create_app(
            settings, core, answer_timeout=answer_timeout, workers=workers, **(state or {})
        )
        server = ServerThread(
            make_http_server(app, "127.0.0.1", 0, asyncore_loop_timeout=0.05)
        ).__enter__()
        started.append((app, server))
        url = server.url + "/slack/events"
        return Bot(app, slack, SlackSender(url), core, settings, url, settings.slack.feedback_path)

    yield start
    for app, server in started:
        server.__exit__(None, None, None)
        app.close()
        # close() does not wait for answers already running. Wait for them here (bounded), so a
        # late answer posts to this test's fake Slack and logs into this test, not the next one
        # (test_slack_teardown.py). The pools' threads are private to concurrent.futures: test
        # harness only.
        for pool in (app.newsdesk.work, app.newsdesk.indicators):
            for thread in list(pool._threads):  # type: ignore[attr-defined]
                thread.join(timeout=15)


def event_message(channel: str, text: str, ts: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": USER,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }


def method_index(slack: FakeSlack, method: str, **match: Any) -> int:
    for i, call in enumerate(slack.calls):
        if call.method == method and all(call.body.get(k) == v for k, v in match.items()):
            return i
    raise AssertionError(f"no {method} call with {match}")
