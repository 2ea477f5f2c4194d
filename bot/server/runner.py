"""``newsdesk serve``: the API (:mod:`bot.server.api`) under waitress, warm before it answers.

The server listens at once (``/healthz`` 200) and warms the core in the background (the model,
the store, the keyword index, spaCy, one rehearsal answer); ``/readyz`` turns 200 when that is
done, and ``/ask`` and ``/search`` answer 503 until then, as the Slack bot's HTTP mode does.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.common.warm import warm_until_ready
from bot.server.api import (
    ASK_PATH,
    HEALTH_PATH,
    MAX_BODY_BYTES,
    READY_PATH,
    SEARCH_PATH,
    Api,
    make_wsgi_app,
)
from bot.settings import Settings

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

    from bot.core import Answerer


def build_api(settings: Settings, answerer: Answerer) -> Api:
    """The API over ``answerer`` and its knowledge base, with the limits the settings give."""
    from bot.generators import generator_names

    token = settings.serve.serve_token
    return Api(
        answer=answerer.answer,
        search=lambda query, k, mode: answerer.searcher.search(query, k=k, mode=mode),
        max_question_chars=settings.answer.max_question_chars,
        default_generator=settings.answer.generator,
        generators=generator_names(),
        token=token.get_secret_value().strip() if token is not None else "",
    )


def make_server(
    api: Api, host: str, port: int, *, threads: int = 4, **adjustments: Any
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``api`` on ``host:port`` (port 0 picks a free one)."""
    from waitress import create_server

    return create_server(
        make_wsgi_app(api),
        host=host,
        port=port,
        threads=threads,
        # The API refuses a body over MAX_BODY_BYTES with its own JSON error; waitress refuses
        # one far bigger from its Content-Length alone, before receiving it.
        max_request_body_size=4 * MAX_BODY_BYTES,
        ident="newsdesk",
        **adjustments,
    )


def serve_api(
    settings: Settings,
    answerer: Answerer,
    host: str | None = None,
    port: int | None = None,
    *,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted; ``/ask`` and ``/search`` once the answerer is warm."""
    api = build_api(settings, answerer)
    host = host or settings.serve.serve_host
    port = port if port is not None else settings.serve.serve_port
    server = make_server(api, host, port, threads=settings.serve.serve_threads)
    stop = threading.Event()
    threading.Thread(
        target=warm_until_ready,
        args=(answerer.warm, api.ready, stop),
        name="newsdesk-warm",
        daemon=True,
    ).start()
    bound = f"http://{host}:{getattr(server, 'effective_port', port)}"
    auth = "a bearer token (NEWSDESK_SERVE_TOKEN)" if api.token else "NO authentication"
    (announce or _announce)(
        f"Newsdesk is serving on {bound}: POST {ASK_PATH}, POST {SEARCH_PATH}; "
        f"GET {HEALTH_PATH} (alive), GET {READY_PATH} (warm). Requests need {auth}. "
        "Press Ctrl+C to stop."
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.close()


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
