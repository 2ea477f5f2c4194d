"""What every Slack listener shares: the state, the work pools, the access rule, the core.

The listeners (``bot/slack/listeners/``) acknowledge Slack and decide what to answer and where;
:mod:`bot.slack.conversation` answers in a channel or DM; :mod:`bot.slack.transport` talks to
Slack. The slow work runs on a thread pool of the service's own so that answers never hold up
Bolt's pool (which must stay free to acknowledge slash commands and button clicks within Slack's
3 seconds).

All state that several replicas would have to share comes in through the constructor, each piece
typed by a small protocol of :mod:`bot.common` and in memory by default: what was handled
(``dedupe``, ``replays``), the rate limit (``limiter``), the answers behind the buttons
(``answers``), the questions answered, for edits (``answered``), display names (``names``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from slack_sdk import WebClient

from bot.common.deadline import AnswerFn, answer_within
from bot.common.dedupe import Dedupe, InMemoryDedupe, dedupe_key
from bot.common.feedback import FeedbackStore
from bot.common.handoff import Handoff, Job, LocalHandoff
from bot.common.ratelimit import Limiter, RateLimiter
from bot.common.ttl import KeyValueCache, TTLCache
from bot.slack.edits import Answered
from bot.slack.names import NameResolver
from bot.slack.payloads import first_action, ident, obj, text
from bot.slack.render import SlackMessage
from bot.slack.transport import SlackTransport
from bot.types import Answer, Turn

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")
# How long answers stay behind their buttons, and questions stay answerable again after an edit.
REMEMBER_SECONDS = 24 * 3600
# Where the middleware leaves the hand-off job of a received question for its listener.
JOB_CONTEXT_KEY = "newsdesk_job"
# Said when a question waited longer than NEWSDESK_HANDOFF_MAX_AGE_SECONDS for a replica.
TOO_LATE = "Sorry, I couldn't answer that in time. Please ask again."

log = logging.getLogger("newsdesk.slack")


def parse_channel_list(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.replace(";", ",").split(",") if part.strip())


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class SlackService:
    def __init__(
        self,
        *,
        answer_fn: AnswerFn,
        client: WebClient,
        feedback: FeedbackStore,
        allowed_channels: frozenset[str] = frozenset(),
        limiter: Limiter | None = None,
        answer_timeout: float = 60.0,
        configured_generator: str = "",
        workers: int = 4,
        clock: Callable[[], float] = time.monotonic,
        dedupe: Dedupe | None = None,
        replays: Dedupe | None = None,
        answers: KeyValueCache[Answer] | None = None,
        answered: KeyValueCache[Answered] | None = None,
        names: KeyValueCache[str] | None = None,
        handoff: Handoff | None = None,
    ) -> None:
        """``dedupe``: events and messages already handled; ``replays``: slash commands and
        button clicks already handled (default: ``dedupe``); ``answers``: recent answers by id,
        for the Share and feedback buttons; ``answered``: questions answered, by
        :func:`bot.slack.edits.answered_key`, so that an edit can be answered again;
        ``names``: display names by user or channel id (see :class:`NameResolver`);
        ``handoff``: where acknowledged questions wait until answered, for another replica to
        take over (:mod:`bot.common.handoff`; default: this process only)."""
        self.answer_fn = answer_fn
        self.transport = SlackTransport(client)
        self.feedback = feedback
        self.allowed_channels = allowed_channels
        self.limiter: Limiter = limiter if limiter is not None else RateLimiter(0, clock=clock)
        self.answer_timeout = answer_timeout
        self.configured_generator = configured_generator
        self.seen: Dedupe = dedupe if dedupe is not None else InMemoryDedupe(clock=clock)
        self.replays: Dedupe = replays if replays is not None else self.seen
        self.answers: KeyValueCache[Answer] = (
            answers if answers is not None else TTLCache(2000, REMEMBER_SECONDS, clock)
        )
        self.answered: KeyValueCache[Answered] = (
            answered if answered is not None else TTLCache(10_000, REMEMBER_SECONDS, clock)
        )
        # Threads recently checked and found not to involve the bot: saves a conversations.replies
        # call for every reply in a busy channel's threads. Short TTL, cleared when the bot posts.
        # A per-process saving, not shared state: a replica that has not checked simply asks.
        self.not_bot_threads = InMemoryDedupe(ttl=120, clock=clock)
        # Display names for the user and channel mentions in questions (cached per id).
        self.names = NameResolver(client, names)
        self.work = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsdesk-work")
        self._pending: set[Future[None]] = set()
        self._pending_lock = threading.Lock()
        # Working indicators go through a small pool of their own: added at once, without the
        # Web API calls of a burst of questions all competing (for the GIL) with the acks.
        self.indicators = ThreadPoolExecutor(max_workers=2, thread_name_prefix="newsdesk-react")
        self.handoff: Handoff = handoff if handoff is not None else LocalHandoff()
        self._last_request = 0.0

    def close(self) -> None:
        self.handoff.close()
        self.work.shutdown(wait=False, cancel_futures=True)
        self.indicators.shutdown(wait=False, cancel_futures=True)

    def submit(self, fn: Callable[..., object], *args: Any) -> Future[None]:
        """Run ``fn`` on the work pool; an exception is logged, never silently dropped."""

        def run() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("Background task %s failed", getattr(fn, "__name__", fn))

        future = self.work.submit(run)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def in_flight(self) -> int:
        """Background tasks (answers, mostly) submitted and not finished."""
        with self._pending_lock:
            return len(self._pending)

    def drain(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for the tasks in flight (answers being written) to
        finish; returns how many were still running. Called on shutdown, after the server has
        stopped taking requests: a question already acknowledged is answered, not dropped.
        (With Redis, one still running at the deadline stays in the hand-off for another
        replica.)"""
        with self._pending_lock:
            pending = set(self._pending)
        if not pending or timeout <= 0:
            return len(pending)
        _done, left = wait(pending, timeout=timeout)
        return len(left)

    # --- scheduling -----------------------------------------------------------------------------

    def note_request(self) -> None:
        """Called for every request from Slack (before its ack)."""
        self._last_request = time.monotonic()

    def yield_to_requests(self, quiet: float = 0.02, max_wait: float = 0.25) -> None:
        """Hold background work back while a burst of requests is being acknowledged.

        Python threads share one interpreter lock: an answer starting in the middle of a burst
        slows every acknowledgement still to come. Background work waits until no request has
        arrived for ``quiet`` seconds, but never longer than ``max_wait``.
        """
        deadline = time.monotonic() + max_wait
        while True:
            now = time.monotonic()
            calm_at = self._last_request + quiet
            if now >= calm_at or now >= deadline:
                return
            time.sleep(min(calm_at, deadline) - now)

    def show_working(self, channel: str, ts: str) -> Future[None]:
        """Add the working indicator to ``channel``/``ts`` on the indicators' pool."""

        def add() -> None:
            self.yield_to_requests()
            self.transport.add_reaction(channel, ts)

        return self.indicators.submit(add)

    # --- access ---------------------------------------------------------------------------

    def channel_allowed(self, channel: str) -> bool:
        # DMs are always allowed: the allowlist is about which shared channels the bot speaks in.
        return (
            not self.allowed_channels or channel.startswith("D") or channel in self.allowed_channels
        )

    def not_allowed_text(self) -> str:
        channels = sorted(c for c in self.allowed_channels if _CHANNEL_ID.match(c))
        where = ", ".join(f"<#{c}>" for c in channels[:10])
        return (
            "I'm not enabled in this channel. "
            + (f"You can ask me in {where}, or " if where else "You can ")
            + "send me a direct message."
        )

    def first_click(self, body: Mapping[str, Any]) -> bool:
        """False when this click (action, message, user, action_ts) was already handled."""
        action = first_action(body)
        key = dedupe_key(
            "click",
            text(action, "action_id"),
            text(obj(body, "message"), "ts") or text(obj(body, "container"), "message_ts"),
            ident(body, "user"),
            text(action, "action_ts"),
        )
        if self.replays.claim(key):
            return True
        log.info("Ignoring a repeated click on %s", text(action, "action_id"))
        return False

    # --- answering --------------------------------------------------------------------------

    def call_answer(self, question: str, history: Sequence[Turn]) -> Answer:
        """The core with the deadline; failures raise :class:`AnswerFailed` (see bot.common)."""
        return answer_within(
            self.answer_fn,
            question,
            history,
            self.answer_timeout,
            configured_generator=self.configured_generator,
        )

    def may_reply(self, job: Job | None) -> Callable[[], bool]:
        """Asked before the first reply to ``job``: True for the one replica that may post it
        (the answer is claimed once, then the same verdict is given again)."""
        verdict: list[bool] = []

        def check() -> bool:
            if not verdict:
                verdict.append(job is None or self.handoff.claim_post(job))
            return verdict[0]

        return check

    def remember(self, answer: Answer, answer_id: str = "") -> str:
        """Keep ``answer`` for its buttons; returns its id (a new one unless given)."""
        answer_id = answer_id or new_id()
        self.answers.put(answer_id, answer)
        return answer_id

    def post(
        self,
        channel: str,
        thread_ts: str | None,
        messages: Sequence[SlackMessage],
        answer_id: str = "",
        question: str = "",
        reply_to: str = "",
    ) -> list[str]:
        """:meth:`SlackTransport.post`, noting that the bot is now part of the thread."""
        if thread_ts:
            self.not_bot_threads.discard(dedupe_key(channel, thread_ts))
        return self.transport.post(channel, thread_ts, messages, answer_id, question, reply_to)
