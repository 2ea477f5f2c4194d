"""Ready before serving: a fresh process warms up (model, store, keyword index) before it takes
questions, survives concurrent first questions, and answers its first question about as fast as
later ones. Real parts: the seed store, the packaged model, ``newsdesk slack --http`` as its own
process against the fake Slack Web API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.slack.runner import start_socket_mode
from bot.types import Answer
from retrieval.knowledge_base import KnowledgeBase
from tests.fakes.slack_api import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    SlackSender,
)
from tests.redis_server import free_port
from tests.support import REPO

CONCURRENT_FIRST_QUESTIONS = """
import json, sys, threading
from bot.settings import Settings, quiet_libraries
quiet_libraries()
from bot.wiring import build_answerer
settings = Settings(_env_file=None, store_path=sys.argv[1], collection=sys.argv[2])
answerer = build_answerer(settings)
barrier = threading.Barrier(10)
results = []
def ask():
    barrier.wait()
    answer = answerer.answer("What did Johnson say about Russia?")
    results.append([answer.status, answer.error])
threads = [threading.Thread(target=ask) for _ in range(10)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(results))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "SLACK_"))}
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest.mark.slow
def test_ten_concurrent_first_questions_all_answered(seed_kb: KnowledgeBase) -> None:
    # Before the fix, 1 to 10 of them failed in a fresh process with "Cannot open the Chroma
    # store ...: 'RustBindingsAPI' object has no attribute 'bindings'" (or "Could not connect
    # to tenant default_tenant"): chromadb's client was created by several threads at once.
    config = seed_kb.config
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CONCURRENT_FIRST_QUESTIONS,
            str(config.store_path),
            config.collection,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(outcomes) == 10
    assert [status for status, _ in outcomes] == ["answered"] * 10, outcomes


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0  # not listening yet


@pytest.mark.slow
def test_http_mode_is_ready_only_when_warm_and_the_first_answer_is_fast(
    seed_kb: KnowledgeBase, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeSlack() as slack:
        env = {
            **_env(),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "NEWSDESK_SLACK_API_URL": slack.base_url,
            "NEWSDESK_STORE_PATH": str(seed_kb.config.store_path),
            "NEWSDESK_COLLECTION": seed_kb.config.collection,
            "NEWSDESK_FEEDBACK_PATH": str(tmp_path / "feedback.db"),
            "NEWSDESK_SLACK_RATE_LIMIT_PER_MINUTE": "0",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.terminal.cli", "slack", "--http", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            seen: list[tuple[int, int, int]] = []
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and process.poll() is None:
                state = (
                    _get(base + "/healthz"),
                    _get(base + "/readyz"),
                    SlackSender(base + "/slack/events")
                    .event(
                        {
                            "type": "app_mention",
                            "user": "U0",
                            "text": "warming?",
                            "ts": "1.1",
                            "channel": "C0",
                        },
                    )
                    .status
                    if _get(base + "/healthz") == 200 and _get(base + "/readyz") == 503
                    else 0,
                )
                seen.append(state)
                if state[1] == 200:
                    break
                time.sleep(0.2)
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            # Alive before ready; events refused (Slack retries them) until warm; then ready.
            assert (200, 503, 503) in seen, seen[-5:]
            assert seen[-1][:2] == (200, 200), seen[-5:]
            # A probe sent in the moment between a 503 from /readyz and the core turning warm is
            # accepted (200) and answered; every refused one (503) is not.
            accepted = sum(1 for state in seen if state[2] == 200)
            assert len(slack.calls_to("chat.postMessage")) <= accepted, seen[-5:]

            sender = SlackSender(base + "/slack/events")
            timings = []
            # Different questions, so that no answer reuses another's cached sentence vectors.
            questions = [
                "What did Johnson say about Russia?",
                "Who could face sanctions?",
                "Where did the G7 foreign ministers meet?",
                "What did Tillerson say about Syria?",
            ]
            for i, question in enumerate(questions):
                ts = slack.next_ts()
                event = {
                    "type": "app_mention",
                    "user": "UHUMAN01",
                    "text": f"<@{BOT_USER_ID}> {question}",
                    "ts": ts,
                    "channel": "C0000001",
                }
                started = time.perf_counter()
                assert sender.event(event).status == 200
                slack.wait_for_calls(
                    "chat.postMessage",
                    i + 1,
                    timeout=60,
                    where=lambda call: call.body.get("channel") == "C0000001",
                )
                timings.append(time.perf_counter() - started)
            first, later = timings[0], sorted(timings[1:])[1]
            print(f"first answer {first:.2f} s, later (median of 3) {later:.2f} s")
            # The target: the first answer within 2x a warm one (plus scheduling noise
            # on a shared 2-core machine); before warm-up it took 13-21 s.
            assert first <= 2 * later + 0.5, timings
        finally:
            process.terminate()
            process.wait(30)


class WarmCore:
    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        self.connections_when_warm: int | None = None

    def warm(self) -> float:
        self.connections_when_warm = len(self.slack.calls_to("apps.connections.open"))
        return 0.0

    def answer(self, question: str, history: object = ()) -> Answer:
        return Answer(question=question, text="x", status="no_answer")


def test_socket_mode_connects_only_after_warming_up(tmp_path: Path) -> None:
    from bot.slack.runner import _split_core

    with FakeSlack() as slack:
        slack.enable_socket_mode()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            slack_api_url=slack.base_url,
            feedback_path=tmp_path / "feedback.db",
        )
        core = WarmCore(slack)
        answer_fn, warm = _split_core(core)
        handler = start_socket_mode(settings, answer_fn, warm)
        try:
            slack.wait_for_calls("apps.connections.open")
            assert core.connections_when_warm == 0
        finally:
            handler.close()
            handler.app.close()  # type: ignore[attr-defined]
