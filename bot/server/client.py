"""``newsdesk ask --server URL``: the question sent to a running ``newsdesk serve``.

Nothing is loaded here but the standard library's HTTP client: the point of asking a server is
not paying for the model, the store or spaCy in this process. Every failure is one
:class:`ServerError` whose message names the server and what to do.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from bot.server.api import ASK_PATH
from bot.types import Answer, Citation, Dropped

# A refused connection is retried (a server restarting behind the same address); a timeout is
# not: the server may still be answering it.
CONNECT_ATTEMPTS = 3


class ServerError(Exception):
    """Asking the server failed; the message is one line for the person asking."""


def check_url(url: str) -> str:
    """``url`` without a trailing slash, or ``ServerError`` when it is not an http(s) URL."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerError(f"--server must be an http:// or https:// URL (got {url!r})")
    return url.strip().rstrip("/")


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, urllib.error.URLError) and isinstance(
        getattr(exc, "reason", None), ConnectionRefusedError | ConnectionResetError
    )


@retry(
    retry=retry_if_exception(_refused),
    stop=stop_after_attempt(CONNECT_ATTEMPTS),
    wait=wait_exponential(multiplier=0.2, max=1.0),
    reraise=True,
)
def _post(url: str, payload: Mapping[str, Any], token: str, timeout: float) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("ascii"), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return int(exc.code), exc.read()


def post_json(
    base_url: str, path: str, payload: Mapping[str, Any], *, token: str = "", timeout: float = 120
) -> tuple[int, Any]:
    """POST ``payload`` to ``base_url + path``: the status and the decoded JSON body."""
    base = check_url(base_url)
    try:
        status, body = _post(base + path, payload, token, timeout)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ServerError(f"The server at {base} did not answer within {timeout:g} s") from None
        reason = exc.reason if isinstance(exc.reason, str) else str(exc.reason)
        if _refused(exc):
            reason = "connection refused: is `newsdesk serve` running there?"
        raise ServerError(f"Cannot reach the server at {base}: {reason}") from None
    except TimeoutError:
        raise ServerError(f"The server at {base} did not answer within {timeout:g} s") from None
    except OSError as exc:
        raise ServerError(f"Cannot reach the server at {base}: {exc}") from None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServerError(
            f"The server at {base} answered {status} with a body that is not JSON: is it a "
            "`newsdesk serve`?"
        ) from None
    return status, data


def remote_answer(
    base_url: str,
    question: str,
    *,
    k: int | None = None,
    generator: str | None = None,
    token: str = "",
    timeout: float = 120,
) -> dict[str, Any]:
    """The server's answer to ``question``, as ``newsdesk ask --json`` prints an answer (an error
    answer included: the caller shows it and exits non-zero); ``ServerError`` otherwise."""
    payload: dict[str, Any] = {"question": question}
    if k is not None:
        payload["k"] = k
    if generator is not None:
        payload["generator"] = generator
    status, data = post_json(base_url, ASK_PATH, payload, token=token, timeout=timeout)
    if isinstance(data, dict) and isinstance(data.get("status"), str) and "text" in data:
        return data
    base = check_url(base_url)
    message = data.get("error") if isinstance(data, dict) else None
    if status == 401:
        message = "it needs a token: set NEWSDESK_SERVE_TOKEN to the server's"
    elif status == 503:
        message = "it is still warming up; try again in a few seconds"
    raise ServerError(f"The server at {base} refused the question ({status}): {message}")


def answer_from_json(data: Mapping[str, Any]) -> Answer:
    """The ``Answer`` that ``Answer.to_json`` described, for the terminal renderer (the decision's
    working is not in the JSON and is not needed to show the answer)."""
    status = data.get("status")
    if status not in ("answered", "no_answer", "error"):
        raise ServerError(f"The server sent an answer with an unknown status: {status!r}")
    try:
        return Answer(
            question=str(data.get("question", "")),
            text=str(data.get("text", "")),
            status=status,
            citations=tuple(
                Citation(
                    number=int(c["n"]),
                    article_id=str(c.get("article_id", "")),
                    title=str(c.get("title", "")),
                    source=str(c.get("source", "")),
                    url=str(c.get("url", "")),
                    published_at=str(c.get("published_at", "")),
                    quote=str(c.get("quote", "")),
                )
                for c in data.get("citations", ())
            ),
            prompt_id=str(data.get("prompt_id", "")),
            generator=str(data.get("generator", "")),
            timings_ms={str(k): float(v) for k, v in dict(data.get("timings_ms", {})).items()},
            standalone_question=str(data.get("standalone_question", "")),
            dropped=tuple(
                Dropped(str(d.get("text", "")), str(d.get("reason", "")))
                for d in data.get("dropped", ())
            ),
            error=str(data.get("error", "")),
            notes=tuple(str(n) for n in data.get("notes", ())),
            fallback=str(data.get("fallback", "")),
            draft=str(data.get("draft", "")),
            attributed=int(data.get("attributed", 0)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ServerError(f"The server sent an answer of an unexpected shape ({exc})") from None
