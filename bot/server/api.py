"""The HTTP JSON API as a WSGI application: the answering core's ``answer`` and ``search``.

Routes:

* ``POST /ask``: ``{"question": str, "history": [{"question", "answer"}], "k": int,
  "generator": str}`` (only ``question`` required) -> the answer's JSON, exactly as
  ``newsdesk ask --json`` prints it. 200 for an answer (``status`` ``answered`` or
  ``no_answer``); 422 with the error answer for a question refused as it is (empty, too long, an
  unknown generator); 500 with the error answer (its ``error`` ends with a reference, the cause
  is in the log under it) when answering failed.
* ``POST /search``: ``{"query": str, "k": int, "mode": "hybrid" | "dense" | "keyword"}`` ->
  ``{"hits": [...]}``, each hit as ``newsdesk search --json`` prints it.
* ``GET /healthz``: 200 while the process serves. ``GET /readyz``: 200 once the model, the store
  and the keyword index are loaded, 503 before (``/ask`` and ``/search`` answer 503 until then)
  and again once the server is stopping (:class:`InFlight`; ``/ask`` and ``/search`` answer 503
  with ``Retry-After`` then, while the answers already begun are finished and sent).

The body is untrusted: anything but a JSON object of the documented fields and types is refused
with a 4xx and ``{"error": "..."}`` that says what is wrong (never the input echoed, never a
traceback); a body over ``MAX_BODY_BYTES`` is refused before it is parsed. With a token set,
``/ask`` and ``/search`` need ``Authorization: Bearer <token>`` (401 otherwise).
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.common.deadline import failed_with_reference
from bot.question import QuestionError, clean_query, clean_question
from bot.types import Answer, Turn, refusal
from retrieval.types import Hit

log = logging.getLogger("newsdesk.server")

ASK_PATH = "/ask"
SEARCH_PATH = "/search"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# A question is at most max_question_chars (1,000 by default) and a follow-up carries at most
# MAX_TURNS earlier exchanges: 256 KiB leaves room for long answers and refuses anything absurd.
MAX_BODY_BYTES = 256 * 1024
MAX_TURNS = 20
MAX_TURN_CHARS = 20_000

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _Strict(BaseModel):
    # strict: "k": "5" or "question": 5 is an error, not a guess.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TurnIn(_Strict):
    question: str = Field(max_length=MAX_TURN_CHARS)
    answer: str = Field("", max_length=MAX_TURN_CHARS)


class AskRequest(_Strict):
    question: str
    history: list[TurnIn] = Field(default_factory=list, max_length=MAX_TURNS)
    k: int | None = Field(None, ge=1, le=50)
    generator: str | None = Field(None, max_length=100)


class SearchRequest(_Strict):
    query: str
    k: int | None = Field(None, ge=1, le=50)
    mode: Literal["hybrid", "dense", "keyword"] = "hybrid"


class Rejected(Exception):
    """A request refused with ``status`` (``"400 Bad Request"``) and a message for the caller."""

    def __init__(self, status: str, message: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


AnswerFn = Callable[..., Answer]  # (question, history, *, k, generator) -> Answer
SearchFn = Callable[..., list[Hit]]  # (query, k, mode) -> hits


class InFlight:
    """The requests being answered, and whether the server has begun to stop.

    :meth:`enter` and :meth:`stop` take one lock, so a request either counts before the stop
    (and is finished and sent) or is refused after it: none slips between the two. A request
    counts until its body has been handed to the server (:class:`_Counted`), not merely until
    the answer is computed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0
        self.stopping = False

    def enter(self) -> bool:
        """Count a request in; False (count nothing) once the server is stopping."""
        with self._cond:
            if self.stopping:
                return False
            self._count += 1
            return True

    def exit(self) -> None:
        with self._cond:
            self._count -= 1
            self._cond.notify_all()

    def stop(self) -> int:
        """Refuse requests from now on; the number still being answered."""
        with self._cond:
            self.stopping = True
            return self._count

    def wait_idle(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the requests being answered; how many are left."""
        with self._cond:
            self._cond.wait_for(lambda: self._count == 0, timeout)
            return self._count


class _Counted(list[bytes]):
    """A response body that counts its request out when the server closes it (WSGI calls
    ``close`` once it has taken the whole body)."""

    def __init__(self, body: list[bytes], done: Callable[[], None]) -> None:
        super().__init__(body)
        self._done: Callable[[], None] | None = done

    def close(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()


@dataclass
class Api:
    """What the application serves: the core's ``answer`` and ``search``, and its limits."""

    answer: AnswerFn
    search: SearchFn
    max_question_chars: int
    default_generator: str
    generators: Sequence[str]
    token: str = ""
    ready: threading.Event = field(default_factory=threading.Event)
    in_flight: InFlight = field(default_factory=InFlight)


def _response(
    start_response: StartResponse,
    status: str,
    payload: Any,
    headers: Sequence[tuple[str, str]] = (),
) -> list[bytes]:
    # ASCII on the wire: a lone surrogate that slipped into a text can never break the encoding.
    body = json.dumps(payload).encode("ascii")
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *headers,
        ],
    )
    return [body]


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    length_header = environ.get("CONTENT_LENGTH") or ""
    if not length_header.isdigit():
        raise Rejected("411 Length Required", "send the JSON body with a Content-Length")
    length = int(length_header)
    if length > MAX_BODY_BYTES:
        raise Rejected(
            "413 Content Too Large",
            f"the body is {length:,} bytes; the limit is {MAX_BODY_BYTES:,}",
        )
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Rejected("400 Bad Request", "the body is not UTF-8") from None
    except (json.JSONDecodeError, RecursionError):
        raise Rejected("400 Bad Request", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise Rejected("400 Bad Request", "the body must be a JSON object")
    return data


def _validated(model: type[_Strict], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Where and what, never the value sent (it may be huge or hostile).
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or "body"
            message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{where}: {message}")
        raise Rejected("422 Unprocessable Content", "; ".join(problems[:10])) from None


def _authorised(api: Api, environ: dict[str, Any]) -> bool:
    if not api.token:
        return True
    given = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, credential = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        credential.strip().encode("utf-8", "replace"), api.token.encode("utf-8")
    )


def _ask(api: Api, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    request: AskRequest = _validated(AskRequest, data)
    generator = (request.generator or api.default_generator).strip()
    try:
        clean_question(request.question, api.max_question_chars)
    except QuestionError as exc:
        return "422 Unprocessable Content", refusal(request.question, str(exc), generator).to_json()
    if generator not in api.generators:
        message = f"Unknown generator {generator!r}; choose one of: {', '.join(api.generators)}"
        return "422 Unprocessable Content", refusal(request.question, message, generator).to_json()
    history = tuple(Turn(t.question, t.answer) for t in request.history)
    answer = api.answer(request.question, history, k=request.k, generator=request.generator)
    # An error answer for a question that passed the checks above is a failure of ours (its
    # error names a reference; the core logged the cause under it).
    status = "500 Internal Server Error" if answer.status == "error" else "200 OK"
    return status, answer.to_json()


def _search(api: Api, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    request: SearchRequest = _validated(SearchRequest, data)
    try:
        query = clean_query(request.query, api.max_question_chars)
    except QuestionError as exc:
        raise Rejected("422 Unprocessable Content", str(exc)) from None
    hits = api.search(query, request.k, request.mode)
    return "200 OK", {"hits": [hit.to_json() for hit in hits]}


ROUTES: dict[str, Callable[[Api, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    ASK_PATH: _ask,
    SEARCH_PATH: _search,
}


def make_wsgi_app(api: Api) -> WSGIApp:
    """The API as a WSGI application: ``/ask`` and ``/search`` (POST, once ``api.ready`` is set),
    ``/healthz`` and ``/readyz`` (GET or HEAD); anything else 404 or 405, as JSON."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if path in (HEALTH_PATH, READY_PATH):
                if method not in ("GET", "HEAD"):
                    raise Rejected("405 Method Not Allowed", "GET only", [("Allow", "GET, HEAD")])
                if path == HEALTH_PATH:
                    return _response(start_response, "200 OK", {"ok": True})
                if api.in_flight.stopping:
                    return _response(
                        start_response,
                        "503 Service Unavailable",
                        {"ok": False, "ready": False, "stopping": True},
                    )
                if api.ready.is_set():
                    return _response(start_response, "200 OK", {"ok": True, "ready": True})
                return _response(
                    start_response, "503 Service Unavailable", {"ok": False, "ready": False}
                )
            route = ROUTES.get(path)
            if route is None:
                raise Rejected(
                    "404 Not Found", f"no such path; use POST {ASK_PATH} or {SEARCH_PATH}"
                )
            if method != "POST":
                raise Rejected("405 Method Not Allowed", "POST only", [("Allow", "POST")])
            if not _authorised(api, environ):
                raise Rejected(
                    "401 Unauthorized",
                    "a valid Authorization: Bearer token is required",
                    [("WWW-Authenticate", "Bearer")],
                )
            if not api.ready.is_set():
                raise Rejected(
                    "503 Service Unavailable", "starting: warming up", [("Retry-After", "5")]
                )
            if not api.in_flight.enter():
                raise Rejected(
                    "503 Service Unavailable",
                    "stopping: ask again in a moment (another server, or this one restarted)",
                    [("Retry-After", "5")],
                )
            try:
                status, payload = route(api, _read_json(environ))
                body = _response(start_response, status, payload)
            except BaseException:
                api.in_flight.exit()
                raise
            return _Counted(body, api.in_flight.exit)
        except Rejected as exc:
            return _response(start_response, exc.status, {"error": exc.message}, exc.headers)
        except Exception as exc:
            message = failed_with_reference(log, f"{method} {path} failed", exc)
            return _response(start_response, "500 Internal Server Error", {"error": message})

    return wsgi
