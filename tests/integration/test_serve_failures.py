"""``newsdesk serve``'s API in this process, for what a healthy seed store cannot show: not ready
until warm, and an answer that fails inside is a 500 with a reference whose cause is only in the
log. The real core (over a store whose database is gone) behind the real waitress server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.core import Answerer
from bot.server.api import Api
from bot.server.runner import build_api, make_server
from retrieval.embeddings import LocalEmbeddings
from tests.fakes.slack_api import ServerThread
from tests.integration.test_core import PLAIN_FAILURE, BrokenStore, make_settings
from tests.integration.test_serve import QUESTION, call, post


@contextmanager
def serving(api: Api) -> Iterator[int]:
    with ServerThread(make_server(api, "127.0.0.1", 0, asyncore_loop_timeout=0.1)) as running:
        yield int(running.server.effective_port)


@pytest.fixture
def broken(embeddings: LocalEmbeddings, tmp_path: Path) -> tuple[Answerer, Path]:
    path = tmp_path / "store" / "chroma.sqlite3"
    settings = make_settings(tmp_path, serve_token="t")
    return Answerer(BrokenStore(path), embeddings, settings), path


def test_ask_and_search_wait_for_the_warm_up(broken: tuple[Answerer, Path]) -> None:
    answerer, _ = broken
    api = build_api(answerer.settings, answerer)
    with serving(api) as port:
        assert call(port, "GET", "/healthz").status == 200
        assert call(port, "GET", "/readyz").json == {"ok": False, "ready": False}
        reply = post(port, "/ask", {"question": QUESTION}, token="t")
        assert reply.status == 503 and reply.headers["Retry-After"] == "5"
        assert reply.json == {"error": "starting: warming up"}
        api.ready.set()
        assert call(port, "GET", "/readyz").status == 200


def test_a_failure_inside_is_a_500_with_a_reference_the_cause_only_in_the_log(
    broken: tuple[Answerer, Path], caplog: pytest.LogCaptureFixture
) -> None:
    answerer, path = broken
    api = build_api(answerer.settings, answerer)
    api.ready.set()
    with caplog.at_level(logging.ERROR), serving(api) as port:
        reply = post(port, "/ask", {"question": QUESTION}, token="t")
        assert reply.status == 500
        answer = reply.json
        assert answer["status"] == "error"
        match = PLAIN_FAILURE.fullmatch(answer["error"])
        assert match, answer["error"]
        assert str(path) not in reply.body.decode()
        # /search raises from the store: the API's own plain 500, the cause in the log.
        reply = post(port, "/search", {"query": "oil"}, token="t")
        assert reply.status == 500
        error = reply.json["error"]
        assert error.startswith("POST /search failed. (ref ") and str(path) not in error
        assert call(port, "GET", "/healthz").status == 200
    logged = caplog.text
    assert match.group("ref") in logged and str(path) in logged
    assert error.split("(ref ")[1].rstrip(")") in logged
