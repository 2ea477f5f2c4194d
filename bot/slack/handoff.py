"""Slack questions handed over between replicas (the mechanism: :mod:`bot.common.handoff`).

Three kinds of job, each written before Slack gets its acknowledgement:

* ``event``: a mention, DM or thread reply as received, recorded by the app's middleware
  (:func:`record_event`) before Bolt acknowledges it. Its listener either decides there is
  nothing to answer (and finishes it) or replaces it with an ``answer`` job.
* ``answer`` (:mod:`bot.slack.conversation`): a decided answer in a channel thread or DM.
* ``ask`` (:mod:`bot.slack.listeners.ask`): a slash command, answered through its
  ``response_url``.

:func:`take_over` is the reclaimer's handler: it validates what it read from Redis (a trust
boundary: pydantic, unknown or missing fields refused) and answers on the service's work pool,
as the replica that died would have, or apologises when the job waited too long.
:func:`answer_in_slack` tells the reclaimer whether a job marked as posted was: every answer
and notice carries its job's key in the message metadata (``reply_to``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt import BoltContext

from bot.common.handoff import Job, MalformedJob
from bot.slack import conversation
from bot.slack.history import is_own
from bot.slack.listeners import ask
from bot.slack.listeners.messages import answer_key, could_be_question, on_message
from bot.slack.payloads import ident, text
from bot.slack.service import SlackService

EVENT = "event"

log = logging.getLogger("newsdesk.slack")


class _Job(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EventJob(_Job):
    event: dict[str, Any]
    mention: bool
    bot_user_id: str | None = None
    bot_id: str | None = None
    event_id: str = ""
    team: str = ""


class AnswerJob(_Job):
    channel: str
    ts: str
    question: str
    reply_ts: str | None = None
    history_thread: str | None = None
    bot_user_id: str | None = None
    bot_id: str | None = None
    user: str = ""
    in_thread: bool = False
    edited: bool = False
    raw_text: str = ""


class AskJob(_Job):
    question: str
    response_url: str
    user: str = ""
    channel: str = ""


def record_event(
    service: SlackService, body: Mapping[str, Any], context: BoltContext
) -> Job | None:
    """Record a received event that may be a question (before its acknowledgement)."""
    event = body.get("event")
    if not isinstance(event, dict):
        return None
    mention = event.get("type") == "app_mention"
    if not (mention or event.get("type") == "message") or not could_be_question(
        event, mention=mention
    ):
        return None
    data = EventJob(
        event=event,
        mention=mention,
        bot_user_id=context.bot_user_id,
        bot_id=context.bot_id,
        event_id=str(body.get("event_id") or ""),
        team=str(body.get("team_id") or ""),
    )
    key = answer_key(ident(event, "channel"), text(event, "ts"))
    return service.handoff.add(EVENT, key, data.model_dump())


def take_over(service: SlackService, job: Job, expired: bool) -> None:
    """Answer ``job``, taken over from a replica that stopped (or apologise: ``expired``).

    Raises :class:`MalformedJob` for a job that cannot be used (it is then discarded).
    """
    try:
        if job.kind == EVENT:
            event_job = EventJob.model_validate(job.data)
            service.submit(_event, service, job, event_job, expired)
        elif job.kind == conversation.KIND:
            answer_job = AnswerJob.model_validate(job.data)
            service.submit(_answer, service, job, answer_job, expired)
        elif job.kind == ask.KIND:
            ask_job = AskJob.model_validate(job.data)
            service.submit(
                lambda: ask.answer_privately(
                    service, **ask_job.model_dump(), job=job, too_late=expired
                )
            )
        else:
            raise MalformedJob(f"unknown kind {job.kind!r}")
    except ValidationError as exc:
        raise MalformedJob(f"a {job.kind} job of the wrong shape: {exc.errors()[:3]}") from None


def answer_in_slack(service: SlackService, job: Job) -> bool | None:
    """Whether a message of the bot's answering ``job`` (its key in the metadata's ``reply_to``)
    is where the answer goes; None when that cannot be told (an ``/ask``, a damaged job, the
    bot's ids unknown, Slack away)."""
    try:
        if job.kind == EVENT:
            event_job = EventJob.model_validate(job.data)
            event, bot = event_job.event, (event_job.bot_user_id, event_job.bot_id)
            channel, ts = ident(event, "channel"), text(event, "ts")
            reply_ts = _event_reply_ts(event)
        elif job.kind == conversation.KIND:
            answer_job = AnswerJob.model_validate(job.data)
            channel, ts, reply_ts = answer_job.channel, answer_job.ts, answer_job.reply_ts
            bot = (answer_job.bot_user_id, answer_job.bot_id)
        else:
            return None
    except ValidationError:
        return None
    if not (channel and ts and any(bot)):
        return None
    if reply_ts:
        messages = service.transport.thread_replies(channel, reply_ts)
    else:  # a DM answered outside threads
        messages = service.transport.channel_history(channel, oldest=ts)
    if messages is None:
        return None
    # Only the bot's own messages: any app in the channel can set message metadata.
    return any(is_own(m, *bot) and _reply_to(m) == job.key for m in messages)


def _reply_to(message: Mapping[str, Any]) -> str:
    metadata = message.get("metadata")
    payload = metadata.get("event_payload") if isinstance(metadata, Mapping) else None
    return str(payload.get("reply_to") or "") if isinstance(payload, Mapping) else ""


def _event_reply_ts(event: Mapping[str, Any]) -> str | None:
    """Where an event's answer goes: its thread (a mention's own), or the DM itself."""
    channel, ts = ident(event, "channel"), text(event, "ts")
    thread_ts = text(event, "thread_ts") or None
    if event.get("channel_type") == "im" or channel.startswith("D"):
        return thread_ts if thread_ts and thread_ts != ts else None
    return thread_ts or ts


def _event(service: SlackService, job: Job, data: EventJob, expired: bool) -> None:
    event = data.event
    if expired:
        channel = ident(event, "channel")
        conversation.say_too_late(service, job, channel, _event_reply_ts(event))
        return
    context = BoltContext({"bot_user_id": data.bot_user_id, "bot_id": data.bot_id})
    on_message(service, event, context, mention=data.mention, job=job, reclaimed=True)


def _answer(service: SlackService, job: Job, data: AnswerJob, expired: bool) -> None:
    if expired:
        conversation.say_too_late(service, job, data.channel, data.reply_ts)
        return
    indicator = service.show_working(data.channel, data.ts)
    conversation.answer_in_conversation(
        service, **data.model_dump(), replies=None, job=job, indicator=indicator
    )
