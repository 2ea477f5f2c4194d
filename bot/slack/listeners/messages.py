"""``message`` events: DMs (``message.im``), follow-ups in threads the bot has answered, edits.

Registered for every message subtype on purpose: an event with no matching listener gets a 404,
which Slack retries. Deletions, joins and bot messages are acknowledged and ignored; an edited
question is answered again by the rule of :mod:`bot.slack.edits`. ``app_mention`` events
(``mention.py``) go through :func:`on_message` too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt import App, BoltContext

from bot.common.dedupe import dedupe_key
from bot.common.handoff import Job
from bot.slack.conversation import start_answer
from bot.slack.edits import Answered, answered_key, edit_key, edit_to_answer, question_key
from bot.slack.history import bot_in_thread, is_from_bot
from bot.slack.payloads import ident, text
from bot.slack.render import render_notice
from bot.slack.service import JOB_CONTEXT_KEY, SlackService
from bot.slack.text import question_from_message

# Subtypes that are still a person writing to the bot; every other subtype (edits, deletions,
# joins, bot messages ...) is acknowledged and ignored.
QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")
EXAMPLE_PROMPT = "Ask me a question about the news, for example: what did Johnson say about Russia?"

log = logging.getLogger("newsdesk.slack")


def register(app: App, service: SlackService) -> None:
    @app.event("message")
    def on_message_event(event: dict[str, Any], context: BoltContext) -> None:
        # Events are acknowledged by Bolt before this runs (process_before_response=False).
        on_message(service, event, context, mention=False)


def answer_key(channel: str, ts: str) -> str:
    """The key of the answer to the message ``channel``/``ts`` (posted once, see handoff)."""
    return dedupe_key("message", channel, ts)


def could_be_question(event: Mapping[str, Any], *, mention: bool) -> bool:
    """Whether :func:`on_message` may answer ``event`` (cheap checks, no Web API call): a
    mention, a DM, or a reply in a thread, from a person."""
    if is_from_bot(event) or event.get("subtype") not in QUESTION_SUBTYPES:
        return False
    channel, ts = ident(event, "channel"), text(event, "ts")
    if not (channel and ts and text(event, "user")):
        return False
    thread_ts = text(event, "thread_ts")
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    return mention or is_dm or (bool(thread_ts) and thread_ts != ts)


def on_message(
    service: SlackService,
    event: Mapping[str, Any],
    context: BoltContext,
    *,
    mention: bool,
    job: Job | None = None,
    reclaimed: bool = False,
) -> None:
    """An ``app_mention`` (``mention=True``) or a ``message`` event, already acknowledged.

    Mentions are answered in a thread; DMs in the DM; other channel messages only when they
    are replies in a thread the bot has answered in (follow-ups). Everything else is ignored.

    ``job`` is the event's hand-off record (default: the one the middleware left in
    ``context``): passed on to the answer, or finished here when there is nothing to answer.
    ``reclaimed``: the replica that received the event died before answering it; its claims
    (this message, the asker's rate limit) are its own, and the answer is still posted once.
    """
    if job is None:
        job = context.get(JOB_CONTEXT_KEY)
    started = False
    try:
        started = _on_message(
            service, event, context, mention=mention, job=job, reclaimed=reclaimed
        )
    finally:
        if not started:
            service.handoff.done(job)


def _on_message(
    service: SlackService,
    event: Mapping[str, Any],
    context: BoltContext,
    *,
    mention: bool,
    job: Job | None,
    reclaimed: bool,
) -> bool:
    """:func:`on_message`; True when an answer was started (it finishes ``job``)."""
    bot_user_id, bot_id = context.bot_user_id, context.bot_id
    if event.get("subtype") == "message_changed":
        return answer_edit(service, event, bot_user_id=bot_user_id, bot_id=bot_id)
    if is_from_bot(event) or event.get("subtype") not in QUESTION_SUBTYPES:
        return False
    channel = ident(event, "channel")
    ts = text(event, "ts")
    user = text(event, "user")
    if not (channel and ts and user):
        return False
    thread_ts = text(event, "thread_ts")
    in_thread = bool(thread_ts) and thread_ts != ts
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    replies: list[dict[str, Any]] | None = None

    if not mention and not is_dm:
        # A channel message: only a follow-up in a thread where the bot has answered.
        if not in_thread or dedupe_key(channel, thread_ts) in service.not_bot_threads:
            return False
        if not reclaimed and answer_key(channel, ts) in service.seen:  # an app_mention
            return False
        replies = service.transport.thread_replies(channel, thread_ts)
        if replies is None:
            return False
        if not bot_in_thread(replies, bot_user_id, bot_id):
            service.not_bot_threads.claim(dedupe_key(channel, thread_ts))
            return False

    # The same message arrives as app_mention and as message: whichever comes first answers.
    # (Taken over from a dead replica, the claim is the dead one's: posting once is then
    # guaranteed by the hand-off's mark on the answer's key.)
    if not service.seen.claim(answer_key(channel, ts)) and not reclaimed:
        log.info("Skipping a second delivery of %s/%s", channel, ts)
        return False

    # Mentions: in the thread (thread_ts = the event's thread_ts or its ts). DMs: in the DM,
    # or in the DM thread the question was asked in.
    reply_ts: str | None = thread_ts or ts
    if is_dm:
        reply_ts = thread_ts if in_thread else None
    question = question_from_message(text(event, "text"), bot_user_id)

    # Slack shows an ephemeral message in a thread only when the thread exists: a note to a
    # top-level mention goes to the channel, one to a reply into its thread.
    note_ts = thread_ts if in_thread else None
    if not service.channel_allowed(channel):
        notice = render_notice(service.not_allowed_text(), emoji="", mrkdwn=True)
        service.transport.post_ephemeral(channel, user, note_ts, notice)
        return False
    if not question:
        notice = render_notice(EXAMPLE_PROMPT, emoji=":wave:")
        service.transport.post_ephemeral(channel, user, note_ts, notice)
        return False
    wait = None if reclaimed else service.limiter.acquire(user)
    if wait is not None:
        notice = render_notice(service.limiter.message(wait), emoji=":hand:")
        service.transport.post_ephemeral(channel, user, note_ts, notice)
        return False

    history_thread = thread_ts if in_thread else None
    service.answered.put(
        answered_key(channel, ts),
        Answered(question_key(question), reply_ts, history_thread, in_thread),
    )
    start_answer(
        service,
        channel=channel,
        ts=ts,
        key=answer_key(channel, ts),
        job=job,
        question=question,
        reply_ts=reply_ts,
        history_thread=history_thread,
        replies=replies,
        bot_user_id=bot_user_id,
        bot_id=bot_id,
        user=user,
        in_thread=in_thread,
        raw_text=text(event, "text"),
    )
    return True


def answer_edit(
    service: SlackService,
    event: Mapping[str, Any],
    *,
    bot_user_id: str | None,
    bot_id: str | None,
) -> bool:
    """``message_changed``: answer the edited question again when the rule says so, where the
    first answer went, marked as an answer to the edited question. True when started."""
    edit = edit_to_answer(event, service.answered, service.seen, bot_user_id=bot_user_id)
    if edit is None:
        return False
    first = edit.answered
    wait = service.limiter.acquire(edit.user)
    if wait is not None:
        note_ts = first.history_thread if first.in_thread else None
        notice = render_notice(service.limiter.message(wait), emoji=":hand:")
        service.transport.post_ephemeral(edit.channel, edit.user, note_ts, notice)
        return False
    start_answer(
        service,
        channel=edit.channel,
        ts=edit.ts,
        key=edit_key(edit.channel, edit.ts, edit.question),
        question=edit.question,
        reply_ts=first.reply_ts,
        history_thread=first.history_thread,
        replies=None,
        bot_user_id=bot_user_id,
        bot_id=bot_id,
        user=edit.user,
        in_thread=first.in_thread,
        edited=True,
        raw_text=edit.raw_text,
    )
    return True
