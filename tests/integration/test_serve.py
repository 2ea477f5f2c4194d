"""``newsdesk serve`` as a real process on a free port over the real seed store, asked over HTTP
and by ``newsdesk ask --server`` (a real process too, which must load nothing heavy); hostile
requests get clear 4xx JSON errors and never take the server down."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrieval.knowledge_base import KnowledgeBase
from tests.redis_server import free_port
from tests.support import HIT_JSON_KEYS, REPO

TOKEN = "s3cret-token"
QUESTION = "What did Johnson say about Russia?"
HEAVY = ("torch", "sentence_transformers", "transformers", "spacy", "chromadb")


def _env(kb: KnowledgeBase, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDESK_", "SLACK_"))}
    env.update(
        PYTHONPATH=str(REPO),
        NEWSDESK_STORE_PATH=str(kb.config.store_path),
        NEWSDESK_COLLECTION=kb.config.collection,
        **extra,
    )
    return env


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    token: str | None = TOKEN,
) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers.setdefault("Authorization", f"Bearer {token}")
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def post(port: int, path: str, payload: Any, **kwargs: Any) -> Reply:
    return call(port, "POST", path, json.dumps(payload).encode(), **kwargs)


@dataclass
class Server:
    port: int
    process: subprocess.Popen[str]
    url: str
    log: Path


@pytest.fixture(scope="module")
def server(seed_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    log = folder / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.terminal.cli", "serve", "--port", str(port)],
            env=_env(seed_kb, NEWSDESK_SERVE_TOKEN=TOKEN),
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
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
        assert ready == 200, log.read_text()
        yield Server(port, process, f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def ask_cli(
    kb: KnowledgeBase, *args: str, token: str = TOKEN
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``newsdesk ask ...`` in a process of its own; also which heavy libraries it imported."""
    script = (
        "import json, sys\n"
        "from bot.terminal.cli import app\n"
        "code = 0\n"
        "try:\n"
        "    app(args=sys.argv[1:], prog_name='newsdesk')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code or 0\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = _env(kb, NEWSDESK_SERVE_TOKEN=token) if token else _env(kb)
    result = subprocess.run(
        [sys.executable, "-c", script, "ask", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    heavy = json.loads(result.stderr.strip().splitlines()[-1])
    return result, heavy


# --- the API ---------------------------------------------------------------------------------


def test_health_and_readiness_need_no_token(server: Server) -> None:
    assert call(server.port, "GET", "/healthz", token=None).json == {"ok": True}
    assert call(server.port, "GET", "/readyz", token=None).json == {"ok": True, "ready": True}


def test_ask_returns_the_answer_json_of_ask_json(server: Server, seed_kb: KnowledgeBase) -> None:
    reply = post(server.port, "/ask", {"question": QUESTION, "k": 4})
    assert reply.status == 200, reply.body
    answer = reply.json
    assert answer["status"] == "answered" and answer["citations"]
    assert "Johnson" in answer["text"]
    # The same keys, in the same order, as `newsdesk ask --json` on this store.
    local, _ = ask_cli(seed_kb, QUESTION, "--json", "-k", "4")
    assert local.returncode == 0, local.stderr
    expected = json.loads(local.stdout)
    assert list(answer) == list(expected)
    assert answer["text"] == expected["text"]
    assert answer["citations"] == expected["citations"]


def test_a_follow_up_with_history_is_condensed(server: Server) -> None:
    history = [{"question": QUESTION, "answer": "Johnson spoke of sanctions."}]
    reply = post(server.port, "/ask", {"question": "What about Syria?", "history": history})
    assert reply.status == 200, reply.body
    assert reply.json["standalone_question"] != "What about Syria?"


def test_search_returns_hits_as_search_json(server: Server) -> None:
    reply = post(server.port, "/search", {"query": "Johnson Russia sanctions", "k": 2})
    assert reply.status == 200, reply.body
    hits = reply.json["hits"]
    assert len(hits) == 2 and all(set(h) == HIT_JSON_KEYS for h in hits)
    keyword = post(server.port, "/search", {"query": "Tillerson", "mode": "keyword"}).json
    assert keyword["hits"] and all(h["dense_score"] is None for h in keyword["hits"])


def test_without_the_token_ask_and_search_are_refused(server: Server) -> None:
    for token in (None, "wrong", ""):
        for path in ("/ask", "/search"):
            reply = post(server.port, path, {"question": QUESTION}, token=token)
            assert reply.status == 401, (token, path, reply.body)
            assert "token" in reply.json["error"]


@pytest.mark.parametrize(
    ("path", "payload", "status", "says"),
    [
        ("/ask", {"question": ""}, 422, "Please ask a question."),
        ("/ask", {"question": "why " * 400}, 422, "too long"),
        ("/ask", {"question": QUESTION, "generator": "nope"}, 422, "Unknown generator"),
        ("/ask", {"question": 5}, 422, "question: Input should be a valid string"),
        ("/ask", {"question": QUESTION, "k": "5"}, 422, "k: Input should be a valid integer"),
        ("/ask", {"question": QUESTION, "k": 0}, 422, "k: Input should be greater"),
        ("/ask", {"question": QUESTION, "k": True}, 422, "k: Input should be a valid integer"),
        ("/ask", {"question": QUESTION, "history": "x"}, 422, "history: Input should be"),
        ("/ask", {"question": QUESTION, "history": [{"q": 1}]}, 422, "history.0.question"),
        ("/ask", {"question": QUESTION, "history": [{"question": "a"}] * 21}, 422, "at most"),
        ("/ask", {"question": QUESTION, "extra": 1}, 422, "extra: unknown field"),
        ("/ask", {}, 422, "question: Field required"),
        ("/ask", [QUESTION], 400, "must be a JSON object"),
        ("/ask", QUESTION, 400, "must be a JSON object"),
        ("/ask", None, 400, "must be a JSON object"),
        ("/search", {"query": " \t"}, 422, "Please give something to search for."),
        ("/search", {"query": "oil", "mode": "magic"}, 422, "mode: Input should be"),
        ("/search", {"query": "oil", "k": 51}, 422, "k: Input should be less"),
    ],
)
def test_a_bad_request_is_a_clear_4xx(
    server: Server, path: str, payload: Any, status: int, says: str
) -> None:
    reply = post(server.port, path, payload)
    assert reply.status == status, reply.body
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json
    message = body["error"] if "error" in body else body["text"]
    assert says in message, body
    assert "Traceback" not in reply.body.decode()


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        (b"{not json", {}, 400, "not valid JSON"),
        (b"\xff\xfe{}", {}, 400, "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, {}, 400, "not valid JSON"),
        (b'{"question": "\\ud800 oil"}', {}, 200, ""),  # a lone surrogate: replaced, answered
        (b"", {}, 400, "not valid JSON"),
    ],
)
def test_malformed_bodies_are_refused_and_the_server_lives_on(
    server: Server, body: bytes, headers: dict[str, str], status: int, says: str
) -> None:
    reply = call(server.port, "POST", "/ask", body, headers)
    assert reply.status == status, reply.body
    if says:
        assert says in reply.json["error"]
    assert call(server.port, "GET", "/healthz").status == 200
    assert server.process.poll() is None


def test_a_huge_body_is_refused_before_it_is_parsed(server: Server) -> None:
    # Just over the API's limit: its own JSON 413; far over it: waitress's 413, body unread.
    from bot.server.api import MAX_BODY_BYTES

    just_over = json.dumps({"question": "x" * MAX_BODY_BYTES}).encode()
    reply = call(server.port, "POST", "/ask", just_over)
    assert reply.status == 413 and "limit" in reply.json["error"]
    # Far over: only the headers are sent; the refusal comes without the body being awaited.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {TOKEN}\r\n".encode()
            + f"Content-Length: {MAX_BODY_BYTES * 8}\r\n\r\n".encode()
        )
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head
    assert call(server.port, "GET", "/healthz").status == 200


def test_unknown_paths_and_methods(server: Server) -> None:
    assert call(server.port, "GET", "/nope").status == 404
    assert call(server.port, "GET", "/../../etc/passwd").status == 404
    reply = call(server.port, "GET", "/ask")
    assert reply.status == 405 and reply.headers["Allow"] == "POST"
    assert call(server.port, "PUT", "/search", b"{}").status == 405
    assert call(server.port, "DELETE", "/healthz").status == 405
    assert call(server.port, "POST", "/ask", b"{}", {"Content-Length": "abc"}).status == 400


def test_the_server_survives_many_bad_requests_and_still_answers(server: Server) -> None:
    for i in range(30):
        post(server.port, "/ask", {"question": i})
        call(server.port, "POST", "/search", bytes(range(256)))
    started = time.perf_counter()
    reply = post(server.port, "/ask", {"question": QUESTION})
    assert reply.status == 200 and reply.json["status"] == "answered"
    assert time.perf_counter() - started < 30  # warm: no model or store loaded for it
    assert "Traceback" not in server.log.read_text()


# --- newsdesk ask --server -------------------------------------------------------------------


def test_ask_server_prints_what_a_local_ask_prints_and_loads_nothing_heavy(
    server: Server, seed_kb: KnowledgeBase
) -> None:
    remote, heavy = ask_cli(seed_kb, "--server", server.url, QUESTION)
    assert remote.returncode == 0, remote.stderr
    assert heavy == []
    local, local_heavy = ask_cli(seed_kb, QUESTION)
    assert local.returncode == 0, local.stderr
    # A local ask no longer imports torch (the light query encoder); spaCy and Chroma it does.
    assert "spacy" in local_heavy and "chromadb" in local_heavy  # what the server spares

    def without_timing(text: str) -> str:  # the footer's "· 123 ms" differs
        return "\n".join(line.rsplit(" · ", 1)[0] for line in text.splitlines())

    assert without_timing(remote.stdout) == without_timing(local.stdout)
    assert "Sources" in remote.stdout and "status answered" in remote.stdout


def test_ask_server_json_is_the_servers_answer(server: Server, seed_kb: KnowledgeBase) -> None:
    result, heavy = ask_cli(seed_kb, "--server", server.url + "/", QUESTION, "--json", "-k", "3")
    assert result.returncode == 0, result.stderr
    assert heavy == []
    answer = json.loads(result.stdout)
    assert answer["status"] == "answered" and answer["citations"]


def test_ask_server_shows_a_refusal_and_exits_non_zero(
    server: Server, seed_kb: KnowledgeBase
) -> None:
    result, heavy = ask_cli(seed_kb, "--server", server.url, "   ", "--json")
    assert result.returncode == 1
    assert heavy == []
    assert json.loads(result.stdout)["error"] == "Please ask a question."


@pytest.mark.parametrize(
    ("url", "token", "says"),
    [
        ("http://127.0.0.1:{free}", TOKEN, "connection refused"),
        ("{server}", "wrong", "NEWSDESK_SERVE_TOKEN"),
        ("{server}", "", "NEWSDESK_SERVE_TOKEN"),
        ("ftp://127.0.0.1", TOKEN, "must be an http:// or https:// URL"),
        ("{server}/nope", TOKEN, "(404)"),
    ],
)
def test_ask_server_failures_are_one_line_and_non_zero(
    server: Server, seed_kb: KnowledgeBase, url: str, token: str, says: str
) -> None:
    target = url.format(free=free_port(), server=server.url)
    result, heavy = ask_cli(seed_kb, "--server", target, QUESTION, token=token)
    assert result.returncode == 1, result.stdout
    assert heavy == []
    message = result.stderr.strip().splitlines()[:-1]  # the last line is the heavy list
    assert says in " ".join(message), result.stderr
    assert result.stdout == ""
