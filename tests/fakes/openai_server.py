"""A small OpenAI-compatible chat-completions server for tests, on 127.0.0.1 and a free port.

It speaks the real wire format (``POST /v1/chat/completions`` answered with ``chat.completion``
JSON, or server-sent events when ``stream`` is true; errors as ``{"error": {...}}``), so the
real ``langchain_openai`` / ``openai`` client code runs end to end over HTTP. Each request body
is recorded. Replies are scripted::

    def test_something(openai_server):
        openai_server.script(Reply("Johnson warned Russia [1]."), Reply(delay=3.0))
        settings = load_settings(generator="llm", llm_model="openai:fake-model",
                                 llm_base_url=openai_server.base_url, llm_timeout=1)
        ...
        assert openai_server.requests[0]["messages"][-1]["content"].startswith(...)

Scripted replies are used in order; when none is left, ``responder`` (a function of the request
body returning a ``Reply``) decides, and by default the server answers ``default_reply``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass(frozen=True)
class Reply:
    """One scripted response: ``content`` after ``delay`` seconds, or an HTTP error ``status``."""

    content: str = ""
    delay: float = 0.0
    status: int = 200
    finish_reason: str = "stop"
    error_message: str = "The server had an error while processing your request."


Responder = Callable[[dict[str, Any]], Reply]

CHAT_PATH = "/v1/chat/completions"


class FakeOpenAIServer:
    def __init__(self, default_reply: Reply | None = None) -> None:
        self.default_reply = default_reply or Reply("")
        self.responder: Responder | None = None
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        # Set on stop so that a reply sleeping to provoke a client timeout ends at once.
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fake-openai", daemon=True
        )

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- configuration --------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """What to give as ``base_url`` / ``NEWSDESK_LLM_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue replies, used one per request in order (a plain string is a 200 reply)."""
        with self._lock:
            self._script.extend(Reply(r) if isinstance(r, str) else r for r in replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self.headers.clear()
        self.responder = None

    # --- what was asked -------------------------------------------------------------------
    def prompts(self) -> list[str]:
        """The text of the last message of each recorded request."""
        return [_message_text(r["messages"][-1]) for r in self.requests if r.get("messages")]

    # --- internals ------------------------------------------------------------------------
    def _next_reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if self._script:
                return self._script.popleft()
        if self.responder is not None:
            return self.responder(body)
        return self.default_reply


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content", "")
    if isinstance(content, list):  # content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _make_handler(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send_json(200, {"object": "list", "data": [_model_entry("fake-model")]})
            else:
                self._send_error(404, f"Unknown path {self.path}", "invalid_request_error")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path != CHAT_PATH:
                self._send_error(404, f"Unknown path {self.path}", "invalid_request_error")
                return
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                self._send_error(400, "We could not parse the JSON body", "invalid_request_error")
                return
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                self._send_error(400, "'messages' is a required property", "invalid_request_error")
                return
            reply = server._next_reply(body, {k.lower(): v for k, v in self.headers.items()})
            if reply.delay and server._stopping.wait(reply.delay):
                return
            try:
                if reply.status != 200:
                    kind = "server_error" if reply.status >= 500 else "invalid_request_error"
                    self._send_error(reply.status, reply.error_message, kind)
                elif body.get("stream"):
                    self._send_stream(body, reply)
                else:
                    self._send_json(200, _completion(body, reply))
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (its timeout fired while we slept): nothing to answer.
                pass

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
            self.end_headers()
            self.wfile.write(data)

        def _send_error(self, status: int, message: str, kind: str) -> None:
            self._send_json(
                status, {"error": {"message": message, "type": kind, "param": None, "code": None}}
            )

        def _send_stream(self, body: dict[str, Any], reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            base = _completion(body, reply)
            words = reply.content.split(" ")
            pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
            deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
            deltas += [{"content": p} for p in pieces if p]
            for i, delta in enumerate([*deltas, {}]):
                last = i == len(deltas)
                chunk = {
                    "id": base["id"],
                    "object": "chat.completion.chunk",
                    "created": base["created"],
                    "model": base["model"],
                    "system_fingerprint": None,
                    "choices": [
                        {
                            "index": 0,
                            "delta": delta,
                            "logprobs": None,
                            "finish_reason": reply.finish_reason if last else None,
                        }
                    ],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


def _model_entry(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": int(time.time()), "owned_by": "newsdesk"}


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    prompt_tokens = sum(len(_message_text(m).split()) for m in body.get("messages", []))
    completion_tokens = len(reply.content.split())
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model", "fake-model")),
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content, "refusal": None},
                "logprobs": None,
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A started fake OpenAI-compatible server; see the module docstring."""
    with FakeOpenAIServer() as server:
        yield server
