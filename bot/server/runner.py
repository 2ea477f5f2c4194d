"""``newsdesk serve``: the API (:mod:`bot.server.api`) under waitress, warm before it answers.

The server listens at once (``/healthz`` 200) and warms the core in the background (the model,
the store, the keyword index, spaCy, one rehearsal answer); ``/readyz`` turns 200 when that is
done, and ``/ask`` and ``/search`` answer 503 until then, as the Slack bot's HTTP mode does.

SIGTERM (``docker stop``, systemd, a Kubernetes roll) or Ctrl+C stops it gracefully
(:class:`_GracefulStop`): it refuses new requests with 503 (``/readyz`` 503 too, so a balancer
sends them elsewhere), finishes and sends the answers it has begun, up to
``NEWSDESK_SERVE_SHUTDOWN_GRACE_SECONDS``, and exits 0. A second signal stops it at once.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    say = announce or _announce
    say(
        f"Newsdesk is serving on {bound}: POST {ASK_PATH}, POST {SEARCH_PATH}; "
        f"GET {HEALTH_PATH} (alive), GET {READY_PATH} (warm). Requests need {auth}. "
        "Press Ctrl+C to stop."
    )
    graceful = _GracefulStop(server, api, settings.serve.serve_shutdown_grace_seconds, say)
    try:
        with graceful.on_signals():
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.close()


# Once the answers are handed to waitress, how long to wait for it to write them to their sockets.
FLUSH_SECONDS = 2.0


class _GracefulStop:
    """The first SIGTERM or SIGINT: refuse new requests, let the answers begun finish and be
    sent (up to ``grace`` seconds), then stop the server loop; the second: stop it now.

    The server loop (waitress's, on the main thread) keeps running meanwhile: it is what writes
    the finished answers to their sockets. Python's default SIGTERM kills the process instead,
    answers unsent; and waitress on Ctrl+C waits for its workers but closes every connection
    without writing what they made. tests/integration/test_serve_stop.py runs both signals."""

    def __init__(self, server: Any, api: Api, grace: float, say: Callable[[str], None]) -> None:
        self.server = server
        self.api = api
        self.grace = grace
        self.say = say
        self.begun = False
        # Whether the handlers are installed: the drain wakes the main thread only while they
        # are (after the block, a SIGINT would be Python's default, a KeyboardInterrupt at exit).
        self._lock = threading.Lock()
        self._installed = False

    @contextmanager
    def on_signals(self) -> Iterator[None]:
        """Within the block, SIGTERM and SIGINT stop gracefully (on the main thread only: off it
        signals cannot be handled, and Ctrl+C keeps its default)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        self._installed = True
        try:
            yield
        finally:
            with self._lock:
                self._installed = False
                for signum, handler in previous.items():
                    signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.begun:  # a second signal, or the drain is done: leave the server loop
            raise KeyboardInterrupt
        self.begun = True
        running = self.api.in_flight.stop()
        if running:
            self.say(
                f"Stopping: finishing {running} answer(s) in progress "
                f"(up to {self.grace:g} s; again to stop at once) ..."
            )
        threading.Thread(target=self._drain, name="newsdesk-stop", daemon=True).start()

    def _drain(self) -> None:
        left = self.api.in_flight.wait_idle(self.grace)
        if left:
            self.say(f"Stopped with {left} answer(s) unfinished.")
        else:
            deadline = time.monotonic() + FLUSH_SECONDS
            while _output_pending(self.server) and time.monotonic() < deadline:
                time.sleep(0.02)
        # Wake the main thread out of the server loop's wait: the handler, called again, leaves it.
        with self._lock:
            if self._installed:
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def _output_pending(server: Any) -> bool:
    """Whether waitress still holds bytes for a client (a channel's unsent output)."""
    channels = getattr(server, "_map", None) or getattr(server, "map", None) or {}
    return any(getattr(ch, "total_outbufs_len", 0) for ch in list(channels.values()))


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
