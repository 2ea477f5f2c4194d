"""``newsdesk serve`` stopped by SIGTERM (``docker stop``, systemd, a Kubernetes roll) or Ctrl+C
while it answers: the answer in progress reaches its caller, requests that come meanwhile get a
clear 503 (``/readyz`` too, so a balancer stops sending), and the process exits 0. Before, Python's
default SIGTERM killed the server with the answer unsent (the caller saw the connection drop)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from retrieval.knowledge_base import KnowledgeBase
from tests.integration.test_serve import Reply, call, post
from tests.redis_server import free_port
from tests.support import REPO

SLOW_SITE = REPO / "tests" / "fakes" / "slow_site"
QUESTION = "What did Johnson say about Russia?"


@dataclass
class SlowServer:
    port: int
    process: subprocess.Popen[str]
    log: Path
    marker: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Asking:
    """``POST /ask`` on a thread of its own: its reply, or what went wrong."""

    server: SlowServer
    reply: list[Reply] = field(default_factory=list)
    failure: list[BaseException] = field(default_factory=list)
    thread: threading.Thread | None = None

    def start(self) -> Asking:
        def run() -> None:
            try:
                self.reply.append(
                    post(self.server.port, "/ask", {"question": QUESTION, "generator": "slow"})
                )
            except BaseException as exc:  # the connection dropped: what the test must not see
                self.failure.append(exc)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.marker.exists():
            assert time.monotonic() < deadline, self.server.output()
            assert self.server.process.poll() is None, self.server.output()
            time.sleep(0.05)
        return self

    def result(self, timeout: float = 60) -> Reply:
        assert self.thread is not None
        self.thread.join(timeout)
        assert not self.failure, f"{self.failure[0]!r}\n{self.server.output()}"
        assert self.reply, self.server.output()
        return self.reply[0]


@pytest.fixture
def slow_server(
    seed_kb: KnowledgeBase, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[SlowServer]:
    """A real ``newsdesk serve`` whose ``slow`` generator stalls 3 s (tests/fakes/slow_site;
    a test marked ``slow_seconds(N)`` makes it N)."""
    mark = request.node.get_closest_marker("slow_seconds")
    seconds = mark.args[0] if mark else 3
    port = free_port()
    log = tmp_path / "serve.log"
    marker = tmp_path / "reached"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "SLACK_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(SLOW_SITE), str(REPO)]),
        NEWSDESK_STORE_PATH=str(seed_kb.config.store_path),
        NEWSDESK_COLLECTION=seed_kb.config.collection,
        SLOW_GENERATOR_MARKER=str(marker),
        SLOW_GENERATOR_SECONDS=str(seconds),
        # Longer than any wait below may take, loaded machine included: a test that ends sooner
        # shows the server did not sit out its grace.
        NEWSDESK_SERVE_SHUTDOWN_GRACE_SECONDS="60",
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.terminal.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = SlowServer(port, process, log, marker)
    try:
        deadline = time.monotonic() + 240
        ready = 0
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = call(port, "GET", "/readyz", token=None).status
            except OSError:
                ready = 0
            if ready == 200:
                break
            time.sleep(0.3)
        assert ready == 200, server.output()
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_a_stop_signal_finishes_the_answer_in_flight(
    slow_server: SlowServer, signum: signal.Signals
) -> None:
    asking = Asking(slow_server).start()
    slow_server.process.send_signal(signum)
    time.sleep(0.5)
    # Meanwhile: not ready, and a new question is refused plainly (not dropped, not queued).
    ready = call(slow_server.port, "GET", "/readyz", token=None)
    assert ready.status == 503 and ready.json["stopping"] is True
    refused = post(slow_server.port, "/ask", {"question": QUESTION})
    assert refused.status == 503, refused.body
    assert "stopping" in refused.json["error"]
    assert refused.headers.get("Retry-After")
    # The answer in progress arrives whole, and then the server exits cleanly.
    reply = asking.result()
    assert reply.status == 200, reply.body
    assert reply.json["status"] == "answered" and reply.json["citations"]
    assert slow_server.process.wait(30) == 0, slow_server.output()
    assert "finishing 1 answer" in slow_server.output()
    assert "Traceback" not in slow_server.output()


@pytest.mark.slow_seconds(60)
def test_a_second_signal_stops_without_waiting_for_the_answer(slow_server: SlowServer) -> None:
    Asking(slow_server).start()
    slow_server.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    slow_server.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    slow_server.process.wait(45)
    # Long before the 60 s answer (and grace) would end: waitress gives its workers 5 s at most.
    assert time.monotonic() - started < 30, slow_server.output()


def test_an_idle_server_stops_without_sitting_out_its_grace(slow_server: SlowServer) -> None:
    started = time.monotonic()
    slow_server.process.send_signal(signal.SIGTERM)
    assert slow_server.process.wait(45) == 0, slow_server.output()
    assert time.monotonic() - started < 30, slow_server.output()
