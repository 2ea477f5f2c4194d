"""Warming a server's answering core in the background, so that it listens at once (alive) and
says when it is ready (warm): shared by the Slack HTTP runner and ``newsdesk serve``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("newsdesk.frontends")

Warm = Callable[[], object]

# Seconds between attempts to warm up while the store cannot be opened (a Chroma server that is
# still starting, say).
WARM_RETRY_SECONDS = 5.0


def warm_until_ready(
    warm: Warm, ready: threading.Event, stop: threading.Event, retry_seconds: float | None = None
) -> None:
    """``warm()`` until it succeeds (the store may still be starting), then set ``ready``."""
    while not stop.is_set():
        try:
            started = time.perf_counter()
            warm()
        except Exception as exc:
            log.error("Warming up failed (%s: %s); trying again", type(exc).__name__, exc)
            stop.wait(WARM_RETRY_SECONDS if retry_seconds is None else retry_seconds)
            continue
        log.info("Ready: warmed up in %.1f s", time.perf_counter() - started)
        ready.set()
        return
