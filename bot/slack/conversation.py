"""Answering in a conversation (a channel thread or a DM), off Slack's request, never silently.

Started by the ``app_mention`` and ``message`` listeners (and for edited questions): the working
indicator goes up, the answer is posted where the listener decided, and whatever fails, the
person is told (a notice in the thread, or privately when the bot cannot post there) and the
cause is logged under the reference they see.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.common.deadline import AnswerFailed, new_reference
from bot.common.handoff import Job
from bot.slack.history import turns_from_thread
from bot.slack.render import render_answer
from bot.slack.service import TOO_LATE, SlackService
from bot.slack.transport import CANNOT_POST_ERRORS, slack_error
from bot.types import Turn

# A hand-off job of this kind holds :func:`answer_in_conversation`'s keyword arguments.
KIND = "answer"
# What a job keeps of those arguments (the thread's replies are read again if it is taken over).
JOB_FIELDS = (
    "question",
    "reply_ts",
    "history_thread",
    "bot_user_id",
    "bot_id",
    "user",
    "in_thread",
    "edited",
    "raw_text",
)

log = logging.getLogger("newsdesk.slack")


def start_answer(
    service: SlackService,
    *,
    channel: str,
    ts: str,
    key: str,
    job: Job | None = None,
    **kwargs: Any,
) -> None:
    """Show the working indicator on ``channel``/``ts`` and answer on the work pool (the
    keyword arguments are :func:`answer_in_conversation`'s). ``job``, the question as received,
    is replaced by the answer decided for it (``key`` names that answer), so that another
    replica can give it if this one dies."""
    data = {"channel": channel, "ts": ts} | {k: kwargs[k] for k in JOB_FIELDS if k in kwargs}
    decided = service.handoff.replace(job, KIND, key, data)
    indicator = service.show_working(channel, ts)
    service.submit(
        lambda: answer_in_conversation(
            service, channel=channel, ts=ts, indicator=indicator, job=decided, **kwargs
        )
    )


def say_too_late(service: SlackService, job: Job, channel: str, reply_ts: str | None) -> None:
    """A job that waited too long for a replica: a short apology where the answer would go."""
    try:
        if service.may_reply(job)():
            service.transport.post_notice(channel, reply_ts, TOO_LATE, job.key)
    finally:
        service.handoff.done(job)


def answer_in_conversation(
    service: SlackService,
    *,
    channel: str,
    ts: str,
    question: str,
    reply_ts: str | None,
    history_thread: str | None,
    replies: Sequence[Mapping[str, Any]] | None,
    bot_user_id: str | None,
    bot_id: str | None,
    indicator: Future[None] | None = None,
    user: str = "",
    in_thread: bool = False,
    edited: bool = False,
    raw_text: str = "",
    job: Job | None = None,
) -> None:
    """Answer in a channel or DM (in the thread ``reply_ts`` when given) and clear the
    working indicator (``indicator``: the pending reactions.add), whatever happens. ``job``
    (the hand-off record) is finished once the person has been told something."""
    transport = service.transport
    may_reply = service.may_reply(job)
    reply_to = job.key if job is not None else ""

    def indicator_shown() -> None:
        # The hourglass must be up before anything is posted (and before it is removed),
        # even when the answer was quicker than the reactions.add call.
        if indicator is not None:
            with contextlib.suppress(Exception):
                indicator.result(timeout=15)

    try:
        history: list[Turn] = []
        if history_thread:
            if replies is None:
                replies = transport.thread_replies(channel, history_thread) or []
            history = turns_from_thread(
                replies, before_ts=ts, bot_user_id=bot_user_id, bot_id=bot_id
            )
        service.yield_to_requests()
        if raw_text:  # mentions of people and channels become their names
            question = service.names.question(raw_text, bot_user_id) or question
        answer = service.call_answer(question, history)
        answer_id = service.remember(answer)
        indicator_shown()
        messages = render_answer(answer, answer_id=answer_id, edited=edited)
        if may_reply():
            service.post(channel, reply_ts, messages, answer_id, answer.question, reply_to)
    except AnswerFailed as exc:
        indicator_shown()
        if may_reply():
            transport.post_notice(channel, reply_ts, exc.user_message, reply_to)
    except SlackApiError as exc:
        ref = new_reference()
        error = slack_error(exc)
        status = exc.response.status_code if exc.response is not None else None
        log.error(
            "Posting the answer in %s failed (ref %s): %s (HTTP %s)", channel, ref, error, status
        )
        transport.tell_privately(
            channel,
            user,
            reply_ts if in_thread else None,
            f"Sorry, I couldn't post my answer to your question here. (ref {ref})",
            can_post_here=error not in CANNOT_POST_ERRORS,
        )
    except Exception:
        ref = new_reference()
        log.exception("Could not answer in %s (ref %s)", channel, ref)
        if may_reply():
            transport.post_notice(
                channel,
                reply_ts,
                f"Sorry, I couldn't post the answer. Please try again. (ref {ref})",
                reply_to,
            )
    finally:
        indicator_shown()
        transport.remove_reaction(channel, ts)
        service.handoff.done(job)
