"""``newsdesk ask --server URL``: the question answered by a running ``newsdesk serve``, shown
as a local answer is (the same rendering, and with ``--json`` the same JSON).

Nothing heavy is imported on this path: no model, store or spaCy, only the standard library's
HTTP client (:mod:`bot.server.client`).
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape

from bot.server.client import ServerError, answer_from_json, remote_answer
from bot.settings import Settings
from bot.terminal.render import render_answer


def ask_server(
    settings: Settings,
    url: str,
    question: str,
    as_json: bool,
    *,
    generator: str | None = None,
    k: int | None = None,
    timeout: float = 120.0,
    console: Console | None = None,
    err: Console | None = None,
) -> int:
    """Print the server's answer; the exit status: 0 answered (or no answer), 1 otherwise (an
    error answer, or one line saying why the server could not be asked)."""
    token = settings.serve.serve_token
    try:
        data = remote_answer(
            url,
            question,
            k=k,
            generator=generator,
            token=token.get_secret_value().strip() if token is not None else "",
            timeout=timeout,
        )
        answer = answer_from_json(data)
    except ServerError as exc:
        (err or Console(stderr=True)).print(f"[red]{escape(str(exc))}[/red]")
        return 1
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        (console or Console()).print(render_answer(answer))
    return 1 if answer.status == "error" else 0
