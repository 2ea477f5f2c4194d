"""The Bolt app factory: settings and an answer function in, a ready :class:`App` out.

Nothing happens at import time. ``create_app`` builds the Web API client (pointed at
``NEWSDESK_SLACK_API_URL``, honouring HTTP 429), the Bolt app (which calls ``auth.test`` once to
learn its own user and bot ids), the shared state (dedupe, rate limit, feedback database) and
registers one listener module at a time.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient

from bot.common.deadline import AnswerFn
from bot.common.dedupe import Dedupe, dedupe_key
from bot.common.feedback import FeedbackStore, open_feedback
from bot.common.ratelimit import Limiter
from bot.common.redis_backends import RedisUnavailable
from bot.common.shared import SharedState, build_shared_state
from bot.common.ttl import KeyValueCache
from bot.settings import Settings
from bot.slack.edits import Answered
from bot.slack.handoff import answer_in_slack, record_event, take_over
from bot.slack.listeners import register_all
from bot.slack.names import NAMES_MAX, NAMES_TTL_SECONDS
from bot.slack.service import (
    JOB_CONTEXT_KEY,
    REMEMBER_SECONDS,
    SlackService,
    parse_channel_list,
)
from bot.slack.transport import retry_handlers
from bot.types import Answer

log = logging.getLogger("newsdesk.slack")

# Bolt's own pool runs the (short) listener bodies; answers run on the service's pool.
BOLT_THREADS = 8


def _answered_from_dict(data: Any) -> Answered:
    """The :class:`Answered` that ``dataclasses.asdict`` wrote (``TypeError`` on another shape)."""
    return Answered(**data)


def _name(value: Any) -> str:
    """A display name read back from a shared cache (``TypeError`` when it is not a string)."""
    if not isinstance(value, str):
        raise TypeError(f"a name must be a string, not {type(value).__name__}")
    return value


class SlackConfigError(ValueError):
    """A Slack setting is missing or wrong; the message names the variable to set."""


class NewsdeskApp(App):
    """Bolt's App, carrying the service that holds its state (for tests and shutdown)."""

    newsdesk: SlackService

    shared: SharedState

    def close(self) -> None:
        self.newsdesk.close()
        self.newsdesk.feedback.close()
        self.shared.close()
        self.listener_runner.listener_executor.shutdown(wait=False, cancel_futures=True)


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def bot_token(settings: Settings) -> str:
    token = _secret(settings.slack.slack_bot_token).strip()
    if not token:
        raise SlackConfigError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
            "Slack app's OAuth & Permissions page into .env"
        )
    if token.startswith("xapp-"):
        raise SlackConfigError(
            "SLACK_BOT_TOKEN holds an app-level token (xapp-...): that one belongs in "
            "SLACK_APP_TOKEN; SLACK_BOT_TOKEN is the Bot User OAuth Token (xoxb-...)"
        )
    if not token.startswith("xoxb-"):
        raise SlackConfigError("SLACK_BOT_TOKEN should be a bot token starting with xoxb-")
    return token


def build_web_client(settings: Settings, token: str | None = None) -> WebClient:
    base_url = settings.slack.slack_api_url
    if not base_url.endswith("/"):
        base_url += "/"
    return WebClient(
        token=token if token is not None else bot_token(settings),
        base_url=base_url,
        timeout=15,
        retry_handlers=retry_handlers(),
    )


def _drop_repeated_events(service: SlackService) -> Callable[..., BoltResponse | None]:
    def drop_repeated_events(
        body: dict[str, Any],
        context: BoltContext,
        next: Callable[[], None],
        logger: logging.Logger,
    ) -> BoltResponse | None:
        # Runs after signature verification, so forged requests cannot burn event ids.
        service.note_request()
        event_id = body.get("event_id")
        is_event = body.get("type") == "event_callback" and bool(event_id)
        # A question is recorded before its event id is claimed and before Bolt acknowledges
        # it: if this replica dies at any point after, another one answers it (handoff.py).
        job = record_event(service, body, context) if is_event else None
        if is_event and not service.seen.claim(dedupe_key("event", event_id)):
            logger.info("Ignoring a repeated delivery of event %s", event_id)
            service.handoff.done(job)
            return BoltResponse(status=200, body="")
        if job is not None:
            context[JOB_CONTEXT_KEY] = job
        next()
        return None

    return drop_repeated_events


def create_app(
    settings: Settings,
    answer_fn: AnswerFn,
    *,
    client: WebClient | None = None,
    feedback: FeedbackStore | None = None,
    answer_timeout: float | None = None,
    workers: int = 4,
    clock: Callable[[], float] = time.monotonic,
    dedupe: Dedupe | None = None,
    replays: Dedupe | None = None,
    limiter: Limiter | None = None,
    answers: KeyValueCache[Answer] | None = None,
    answered: KeyValueCache[Answered] | None = None,
    names: KeyValueCache[str] | None = None,
    shared: SharedState | None = None,
) -> NewsdeskApp:
    """Build the Bolt app. ``answer_fn(question, history) -> Answer`` is the answering core.

    ``answer_timeout`` (default: the LLM timeout plus 15 s) is a backstop: an answer that takes
    longer is abandoned and the user is told, rather than left waiting in silence.

    The state replicas must share (see :class:`SlackService`): ``dedupe`` (events and messages
    handled), ``replays`` (slash commands and clicks handled; default ``dedupe``), ``limiter``
    (``NEWSDESK_SLACK_RATE_LIMIT_PER_MINUTE``), ``answers`` (answers behind the buttons),
    ``answered`` (questions answered, for edits), ``names`` (display names by id). Each one not
    given comes from ``shared`` (default: in this process, or in Redis when
    ``NEWSDESK_REDIS_URL`` is set, see :func:`bot.common.shared.build_shared_state`).
    """
    if shared is None:
        try:
            shared = build_shared_state(settings, clock)
        except RedisUnavailable as exc:
            raise SlackConfigError(str(exc)) from None
    client = client or build_web_client(settings)
    signing_secret = _secret(settings.slack.slack_signing_secret)
    service = SlackService(
        answer_fn=answer_fn,
        client=client,
        feedback=feedback or open_feedback(settings),
        allowed_channels=parse_channel_list(settings.slack.slack_allowed_channels),
        limiter=(
            limiter
            if limiter is not None
            else shared.rate_limiter(settings.slack.slack_rate_limit_per_minute)
        ),
        answer_timeout=answer_timeout or settings.llm.llm_timeout + 15,
        configured_generator=settings.answer.generator,
        workers=workers,
        clock=clock,
        dedupe=dedupe if dedupe is not None else shared.dedupe(),
        replays=replays,
        # Recent answers by id, so that a button click (on any replica) finds the full answer.
        answers=(
            answers
            if answers is not None
            else shared.cache(
                "answer",
                max_items=2000,
                ttl=REMEMBER_SECONDS,
                dumps=Answer.to_dict,
                loads=Answer.from_dict,
            )
        ),
        # Questions answered, by edits.answered_key(channel, ts), so that an edit (reaching any
        # replica) can be answered again.
        answered=(
            answered
            if answered is not None
            else shared.cache(
                "answered",
                max_items=10_000,
                ttl=REMEMBER_SECONDS,
                dumps=dataclasses.asdict,
                loads=_answered_from_dict,
            )
        ),
        names=(
            names
            if names is not None
            else shared.cache(
                "name", max_items=NAMES_MAX, ttl=NAMES_TTL_SECONDS, dumps=str, loads=_name
            )
        ),
        handoff=shared.handoff(
            settings.slack.handoff_reclaim_seconds, settings.slack.handoff_max_age_seconds
        ),
    )
    try:
        # App() calls auth.test now, to learn the bot's own user and bot ids.
        app = NewsdeskApp(
            name="newsdesk",
            client=client,
            signing_secret=signing_secret,
            # Acknowledge first, then work on a thread pool (never retrieve before the ack).
            process_before_response=False,
            # Requests no listener takes get a 200 and a log line (listeners/unhandled.py).
            raise_error_for_unhandled_request=True,
            logger=logging.getLogger("newsdesk.slack.bolt"),
            listener_executor=ThreadPoolExecutor(
                max_workers=BOLT_THREADS, thread_name_prefix="newsdesk-bolt"
            ),
        )
    except BoltError as exc:
        service.close()
        shared.close()
        raise SlackConfigError(f"Slack did not accept SLACK_BOT_TOKEN: {exc}") from None
    except OSError as exc:
        service.close()
        shared.close()
        raise SlackConfigError(
            f"Could not reach the Slack Web API at {client.base_url} ({exc}); "
            "check the network, or NEWSDESK_SLACK_API_URL"
        ) from None
    app.newsdesk = service
    app.shared = shared
    app.use(_drop_repeated_events(service))
    register_all(app, service)
    # Questions other replicas acknowledged and could not answer (they died) are answered here.
    service.handoff.start(
        lambda job, expired: take_over(service, job, expired),
        lambda job: answer_in_slack(service, job),
    )
    return app
