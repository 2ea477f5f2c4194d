"""The Slack test harness itself: a bot's teardown waits for its answers in flight.

Seen in CI under load: an answer of one test, still running when its bot was closed, posted after
that test's fake Slack had gone and logged "Could not answer" with a traceback into the next
test's captured log, failing a test that had done nothing wrong.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.fakes.slack_api import FakeSlack
from tests.integration.slack_bot import Core, start_bot_fixture


def _posted(slack: FakeSlack, text: str) -> bool:
    return any(text in json.dumps(call.body) for call in slack.calls)


def test_teardown_waits_for_an_answer_in_flight(slack: FakeSlack, tmp_path: Path) -> None:
    gate = threading.Event()
    harness = start_bot_fixture(slack, tmp_path)
    start = next(harness)
    bot = start(Core("A late answer [1].", gate=gate))
    bot.mention()
    deadline = time.monotonic() + 10
    while not bot.core.calls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bot.core.calls, "the question never reached the core"
    threading.Timer(0.5, gate.set).start()
    next(harness, None)  # the fixture's teardown
    assert _posted(slack, "A late answer"), "teardown returned before the answer was posted"
