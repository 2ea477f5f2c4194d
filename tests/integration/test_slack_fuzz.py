"""Property-based fuzzing of the Slack HTTP endpoint with real payload shapes.

Every request is correctly signed and sent to the bot's real WSGI endpoint (waitress on
127.0.0.1), built from a shape in ``tests/fixtures/slack/`` (events, slash commands,
interactivity, ``url_verification``, ``ssl_check``, ``app_rate_limited``) with fields dropped,
retyped, oversized, the body truncated or its content type changed, and some requests delivered
twice (Slack's retries, a double click). Asserted over the whole run:

* no response is a 5xx;
* nothing in the log carries a traceback;
* every well-formed question (an unmutated mention, DM, file share or ``/ask``) is answered
  exactly once, and no question is ever answered twice.

The default run sends a few hundred requests; ``FUZZ_REQUESTS=5000`` runs the full fuzz::

    FUZZ_REQUESTS=5000 .venv/bin/pytest tests/integration/test_slack_fuzz.py -q -s
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import os
import threading
import urllib.error
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.app import NewsdeskApp, create_app
from bot.slack.runner import MAX_BODY_BYTES, make_http_server
from tests.fakes.slack_api import FakeSlack, ServerThread, SlackSender
from tests.integration.slack_bot import Core, settings_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "slack"
REQUESTS = int(os.environ.get("FUZZ_REQUESTS") or 300)
QUESTION = "what did Johnson say about Russia?"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Shapes that, unmutated, are a question the bot must answer exactly once.
QUESTIONS = {
    "events/app_mention.json",
    "events/app_mention_with_files.json",
    "events/app_mention_slack_connect.json",
    "events/message_im.json",
    "events/file_share.json",
    "commands/slash_command_ask.json",
    "commands/slash_command_ask_payload_word.json",
}


def load_shapes() -> list[tuple[str, dict[str, Any]]]:
    shapes = []
    for path in sorted(FIXTURES.rglob("*.json")):
        shapes.append((str(path.relative_to(FIXTURES)), json.loads(path.read_text("utf-8"))))
    return shapes


SHAPES = load_shapes()


class LogRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.records.append(record)

    def tracebacks(self) -> list[str]:
        with self._lock:
            return [
                f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}"[:500]
                if r.exc_info
                else f"{r.name}: {r.getMessage()}"[:500]
                for r in self.records
                if r.exc_info or "Traceback" in r.getMessage()
            ]


class Harness:
    def __init__(self, slack: FakeSlack, app: NewsdeskApp, send: SlackSender, core: Core) -> None:
        self.slack = slack
        self.app = app
        self.send = send
        self.core = core
        self.ids = itertools.count(1)
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.expected: set[str] = set()  # nonces of well-formed questions
        self.requests = 0
        self.examples: dict[str, str] = {}  # nonce -> what was sent


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, LogRecorder]]:
    recorder = LogRecorder()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(recorder)
    root.setLevel(logging.INFO)
    tmp = tmp_path_factory.mktemp("fuzz")
    core = Core()
    with FakeSlack() as slack:
        app = create_app(settings_for(slack, tmp), core, workers=4)
        server = make_http_server(app, "127.0.0.1", 0, asyncore_loop_timeout=0.05)
        with ServerThread(server) as running:
            yield Harness(slack, app, SlackSender(running.url + "/slack/events"), core), recorder
        app.close()
    root.removeHandler(recorder)
    root.setLevel(old_level)


# --- building requests -----------------------------------------------------------------------


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every field's path in a payload (dict keys and list indexes), depth first."""
    found: list[tuple[Any, ...]] = []
    items: Any = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        found.append((*prefix, key))
        if isinstance(value, dict | list) and len(prefix) < 4:
            found += paths(value, (*prefix, key))
    return found


def parent_of(payload: Any, path: tuple[Any, ...]) -> Any:
    node = payload
    for key in path[:-1]:
        node = node[key]
    return node


def restamp(name: str, payload: dict[str, Any], n: int, port: int, wording: str = "") -> str:
    """Fresh ids (so that distinct examples are distinct to the bot's dedupe) and a nonce in the
    question; returns the nonce."""
    nonce = f"n{n:06d}"
    ts = f"1800000000.{n:06d}"
    response_url = f"http://127.0.0.1:{port}/response/{nonce}"
    if name.startswith("events/"):
        payload["event_id"] = f"Ev{nonce.upper()}"
        event = payload["event"]
        for key in ("ts", "event_ts"):
            if key in event:
                event[key] = ts
        if isinstance(event.get("text"), str):
            event["text"] = event["text"].replace("?", f"{wording} {nonce}?")
        if "message" in event:  # message_changed: the edited message keeps the original ts
            event["message"]["ts"] = ts
    elif name.startswith("commands/"):
        payload["text"] = payload["text"].replace("?", f"{wording} {nonce}?")
        payload["trigger_id"] = f"1337.{n}.{nonce}"
        payload["response_url"] = response_url
    elif name.startswith("interactivity/"):
        payload["response_url"] = response_url
        payload["trigger_id"] = f"1337.{n}.{nonce}"
        payload["container"]["message_ts"] = payload["message"]["ts"] = ts
        payload["actions"][0]["action_ts"] = ts
        raw = payload["actions"][0]["value"]
        value = json.loads(raw) if raw.startswith("{") else None
        if isinstance(value, dict):
            value["q"] = f"{value['q']} {nonce}"
            payload["actions"][0]["value"] = json.dumps(value)
    return nonce


WORDING_ALPHABET = st.sampled_from([*" aez&<>*_", "é", "ß", "中", "🙂"])
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
MUTATIONS = st.sampled_from(["drop", "retype", "oversize", "truncate", "content_type"])


def mutate(data: st.DataObject, payload: dict[str, Any], op: str) -> tuple[dict[str, Any], Any]:
    """One mutation of the payload; returns it and, for body-level mutations, an instruction."""
    fields = paths(payload)
    if op in ("drop", "retype", "oversize") and fields:
        path = data.draw(st.sampled_from(fields))
        parent = parent_of(payload, path)
        if op == "drop":
            del parent[path[-1]]
        elif op == "retype":
            parent[path[-1]] = data.draw(ODD_VALUES)
        else:
            # Over Section and message limits. One is under the 1 MB body limit; two or three
            # can be over it, and then waitress answers 413 (see the property below).
            size = data.draw(st.sampled_from([3_001, 12_001, 30_001]))
            parent[path[-1]] = (
                data.draw(st.sampled_from(["x", "é", "<!channel> ", "\u202e"])) * size
            )
        return payload, None
    if op == "truncate":
        return payload, ("truncate", data.draw(st.floats(0.0, 0.99)))
    return payload, ("content_type", data.draw(st.sampled_from([JSON, FORM, "text/plain", ""])))


def encode(name: str, payload: dict[str, Any]) -> tuple[bytes, str]:
    if name.startswith("interactivity/"):
        return urlencode({"payload": json.dumps(payload)}).encode(), FORM
    if name.startswith("commands/") or name == "ssl_check.json":
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
        return urlencode(fields).encode(), FORM
    return json.dumps(payload).encode(), JSON


# --- the property ------------------------------------------------------------------------------


def test_no_payload_makes_a_5xx_a_traceback_or_a_duplicate_answer(harness) -> None:
    h, recorder = harness
    lock = threading.Lock()

    @settings(
        max_examples=REQUESTS,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data(), shape=st.sampled_from(SHAPES))
    def one_request(data: st.DataObject, shape: tuple[str, dict[str, Any]]) -> None:
        name, original = shape
        payload = copy.deepcopy(original)
        n = next(h.ids)
        # Different wordings keep hypothesis from treating every unmutated question as one case.
        wording = data.draw(st.text(WORDING_ALPHABET, max_size=40))
        nonce = restamp(name, payload, n, h.slack.port, wording)
        # About half the requests are sent as Slack shaped them, half with 1-3 mutations.
        ops = data.draw(st.just([]) | st.lists(MUTATIONS, min_size=1, max_size=3))
        body_ops = []
        for op in ops:
            payload, body_op = mutate(data, payload, op)
            if body_op:
                body_ops.append(body_op)
        body, content_type = encode(name, payload)
        h.examples[nonce] = f"{name} {ops}"
        for kind, value in body_ops:
            if kind == "truncate":
                body = body[: int(len(body) * value)]
            else:
                content_type = value
        if not ops and name in QUESTIONS:
            with lock:
                h.expected.add(nonce)
        deliveries = 1 + data.draw(st.integers(0, 1))
        for attempt in range(deliveries):
            headers = {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
            try:
                response = h.send.post(body, content_type, headers=headers if attempt else None)
            except urllib.error.URLError as error:
                # Over the limit, waitress answers 413 from the headers and closes the connection;
                # when that close overtakes the body still being sent, the client sees a reset
                # instead of the 413. Anything else is a failure.
                if len(body) <= MAX_BODY_BYTES or not isinstance(error.reason, ConnectionError):
                    raise
                h.requests += 1
                h.statuses[413] += 1
                continue
            h.requests += 1
            if len(body) > MAX_BODY_BYTES and response.status != 413:
                h.failures.append(f"{response.status} for a body of {len(body)} bytes")
            h.statuses[response.status] += 1
            if response.status >= 500:
                h.failures.append(f"{response.status} for {name} after {ops}: {body[:300]!r}")

    one_request()

    # Answers finish in the background: wait for every expected one, then a little longer.
    def answered() -> Counter[str]:
        counts: Counter[str] = Counter()
        for question, _ in list(h.core.calls):
            for word in question.split():
                if word.startswith("n") and word[1:].rstrip("?").isdigit():
                    counts[word.rstrip("?")] += 1
        return counts

    h.slack.wait_for(lambda: h.expected <= set(answered()), timeout=60, message="all answers")
    h.slack.wait_for(lambda: h.app.newsdesk.work._work_queue.empty(), timeout=60)
    counts = answered()
    duplicates = {k: v for k, v in counts.items() if v > 1}
    report = (
        f"fuzz: {h.requests} signed requests, statuses {dict(sorted(h.statuses.items()))}, "
        f"5xx {sum(v for k, v in h.statuses.items() if k >= 500)}, "
        f"tracebacks {len(recorder.tracebacks())}, well-formed questions {len(h.expected)}, "
        f"answered once {sum(1 for k in h.expected if counts[k] == 1)}, "
        f"duplicates {len(duplicates)}"
    )
    print("\n" + report)
    assert h.requests >= REQUESTS
    assert not recorder.tracebacks(), recorder.tracebacks()[:5]
    assert not h.failures, h.failures[:5]
    assert all(counts[k] == 1 for k in h.expected), report
    assert not duplicates, {k: h.examples.get(k) for k in duplicates}
