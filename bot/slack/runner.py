"""Running the bot: Socket Mode (no public URL) or HTTP behind waitress, and ``newsdesk slack``.

Socket Mode is the default whenever ``SLACK_APP_TOKEN`` is set: it is the right choice for a
team's first install. HTTP mode serves ``POST /slack/events`` (signed requests from Slack),
``GET /healthz`` (alive) and ``GET /readyz`` (warm) with waitress on an explicit host and port;
Bolt's ``app.start()`` is a development server and is never used.

Ready before serving: when the answering core can warm up (``Answerer.warm``: the model, the
store, the keyword index), Socket Mode connects only after it has; in HTTP mode the server
listens at once (``/healthz`` 200) but ``/readyz`` and ``/slack/events`` answer 503 until it has.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from bot.common.deadline import AnswerFn
from bot.common.warm import warm_until_ready
from bot.settings import Settings
from bot.slack.app import NewsdeskApp, SlackConfigError, bot_token, create_app
from bot.slack.http import EVENTS_PATH, HEALTH_PATH, READY_PATH, make_wsgi_app
from bot.types import Answer

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger("newsdesk.slack")

# Slack's payloads are a few kilobytes; refuse anything absurd before reading it.
MAX_BODY_BYTES = 1_000_000


class Core(Protocol):
    """An answering core that can be warmed up before serving (``bot.core.Answerer``)."""

    def answer(self, question: str, history: Any = ()) -> Answer: ...

    def warm(self) -> float: ...


Warm = Callable[[], object]


def _split_core(core: AnswerFn | Core) -> tuple[AnswerFn, Warm | None]:
    """The answer function and the warm-up of what a factory built (a bare function: none)."""
    warm = getattr(core, "warm", None)
    answer = getattr(core, "answer", None)
    if callable(warm) and callable(answer):

        def answer_fn(question: str, history: Any) -> Answer:
            result: Answer = answer(question, tuple(history))
            return result

        return answer_fn, warm
    return core, None  # type: ignore[return-value]


def _secret(value: Any) -> str:
    return value.get_secret_value().strip() if value is not None else ""


def signing_secret(settings: Settings) -> str:
    secret = _secret(settings.slack.slack_signing_secret)
    if not secret:
        raise SlackConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs the Signing Secret from your Slack "
            "app's Basic Information page (or set SLACK_APP_TOKEN to use Socket Mode instead)"
        )
    return secret


def app_token(settings: Settings) -> str:
    token = _secret(settings.slack.slack_app_token)
    if not token:
        raise SlackConfigError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-...) with the "
            "connections:write scope, from your Slack app's Basic Information page"
        )
    if not token.startswith("xapp-"):
        raise SlackConfigError("SLACK_APP_TOKEN should be an app-level token starting with xapp-")
    return token


# --- shutdown --------------------------------------------------------------------------------


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM (``docker stop``, systemd, Kubernetes) interrupts the main
    thread as Ctrl+C does, so the bot stops the way Ctrl+C stops it: it takes no new questions
    and finishes the ones it is answering (:func:`finish_answers`). Python's default for SIGTERM
    is to die at once, dropping every answer in flight. Off the main thread (tests that run the
    bot on a thread), signals cannot be handled: nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def finish_answers(app: NewsdeskApp, grace: float, say: Callable[[str], None]) -> None:
    """Wait up to ``grace`` seconds for the answers in flight, saying what happens."""
    running = app.newsdesk.in_flight()
    if not running:
        return
    say(f"Stopping: finishing {running} answer(s) in progress (up to {grace:g} s) ...")
    left = app.newsdesk.drain(grace)
    if left:
        say(
            f"Stopped with {left} answer(s) unfinished"
            + (" (with Redis, another replica answers them)." if app.shared.redis else ".")
        )


# --- HTTP mode -------------------------------------------------------------------------------


def make_http_server(
    app: NewsdeskApp,
    host: str,
    port: int,
    *,
    threads: int = 8,
    ready: threading.Event | None = None,
    **adjustments: Any,
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``app`` bound to ``host:port`` (port 0 picks a free one).

    ``ready``: see :func:`bot.slack.http.make_wsgi_app`. ``adjustments`` are passed to waitress
    (e.g. ``asyncore_loop_timeout`` for quick shutdown).
    """
    from waitress import create_server

    if not app._signing_secret:
        raise SlackConfigError("SLACK_SIGNING_SECRET is required in HTTP mode")
    return create_server(
        make_wsgi_app(app, app._signing_secret, ready),
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY_BYTES,
        ident="newsdesk",
        **adjustments,
    )


def serve_http(
    settings: Settings,
    answer_fn: AnswerFn,
    host: str | None = None,
    port: int | None = None,
    *,
    announce: Callable[[str], None] | None = None,
    warm: Warm | None = None,
) -> None:
    """Serve the bot over HTTP until interrupted; ready for events once ``warm()`` returned."""
    signing_secret(settings)
    host = host or settings.slack.slack_host
    port = port if port is not None else settings.slack.slack_port
    app = create_app(settings, answer_fn)
    ready = threading.Event()
    stop = threading.Event()
    server = make_http_server(app, host, port, ready=ready)
    if warm is None:
        ready.set()
    else:
        threading.Thread(
            target=warm_until_ready, args=(warm, ready, stop), name="newsdesk-warm", daemon=True
        ).start()
    (announce or _announce)(
        f"Newsdesk is listening for Slack on http://{host}:{port}{EVENTS_PATH} "
        f"(health check: {HEALTH_PATH}; ready once warm: {READY_PATH}). Press Ctrl+C to stop."
    )
    try:
        with sigterm_interrupts():
            server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.close()
        try:
            with sigterm_interrupts():
                finish_answers(app, settings.slack.shutdown_grace_seconds, announce or _announce)
        except KeyboardInterrupt:
            pass  # a second Ctrl+C or SIGTERM: stop now
        app.close()


# --- Socket Mode -----------------------------------------------------------------------------


def start_socket_mode(
    settings: Settings, answer_fn: AnswerFn, warm: Warm | None = None
) -> SocketModeHandler:
    """Warm up (``warm``), then connect to Slack over Socket Mode and return the (connected,
    non-blocking) handler: Slack sends no event before the bot can answer it at full speed.
    Every frame is read defensively (:mod:`bot.slack.socket_mode`)."""
    from bot.slack.socket_mode import GuardedSocketModeHandler

    token = app_token(settings)
    app = create_app(settings, answer_fn)
    if warm is not None:
        try:
            warm()
        except BaseException:
            app.close()
            raise
    logger = logging.getLogger("newsdesk.slack.socket")
    handler = GuardedSocketModeHandler(app, token, logger=logger)
    handler.connect()
    return handler


def run_socket_mode(
    settings: Settings,
    answer_fn: AnswerFn,
    *,
    announce: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    warm: Warm | None = None,
) -> None:
    """Run over Socket Mode until interrupted (or until ``stop`` is set)."""
    handler = start_socket_mode(settings, answer_fn, warm)
    (announce or _announce)("Newsdesk is connected to Slack in Socket Mode. Press Ctrl+C to stop.")
    try:
        with sigterm_interrupts():
            (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        app = handler.app
        if isinstance(app, NewsdeskApp):
            try:
                with sigterm_interrupts():
                    finish_answers(
                        app, settings.slack.shutdown_grace_seconds, announce or _announce
                    )
            except KeyboardInterrupt:
                pass  # a second Ctrl+C or SIGTERM: stop now
            app.close()


# --- newsdesk slack --------------------------------------------------------------------------


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def choose_mode(settings: Settings, *, http: bool = False) -> str:
    """``"socket"`` or ``"http"``; raises :class:`SlackConfigError` naming what is missing."""
    bot_token(settings)
    if http:
        signing_secret(settings)
        return "http"
    if _secret(settings.slack.slack_app_token):
        app_token(settings)
        return "socket"
    if not _secret(settings.slack.slack_signing_secret):
        raise SlackConfigError(
            "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set. For Socket Mode (the "
            "simplest first install) set SLACK_APP_TOKEN to an app-level token (xapp-...) with "
            "connections:write; for HTTP mode set SLACK_SIGNING_SECRET and run with --http"
        )
    return "http"


def run_slack(
    settings: Settings,
    answer_fn_factory: Callable[[], AnswerFn | Core],
    *,
    http: bool = False,
    host: str | None = None,
    port: int | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """``newsdesk slack``: check the settings first (fast, clear errors), then build the answering
    core and run in the chosen mode, warm before serving when the core can warm up (loads the
    model, opens the store and the keyword index)."""
    say = announce or _announce
    mode = choose_mode(settings, http=http)
    if mode == "http" and not http:
        say("SLACK_APP_TOKEN is not set: running in HTTP mode.")
    answer_fn, warm = _split_core(answer_fn_factory())
    if mode == "socket":
        if warm is not None:
            say("Loading the model and opening the store before connecting to Slack ...")
        run_socket_mode(settings, answer_fn, announce=say, warm=warm)
    else:
        serve_http(settings, answer_fn, host, port, announce=say, warm=warm)
