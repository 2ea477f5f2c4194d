"""``/ask QUESTION``: acknowledged at once (privately), answered privately via ``response_url``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import Ack, App

from bot.common.deadline import AnswerFailed, new_reference
from bot.common.dedupe import dedupe_key
from bot.common.handoff import Job
from bot.slack.payloads import text
from bot.slack.render import SlackMessage, render_answer, render_notice, render_usage
from bot.slack.service import TOO_LATE, SlackService, new_id
from bot.slack.text import question_from_message, truncate
from bot.slack.transport import MAX_RESPONSE_URL_POSTS, ack_ephemeral, ephemeral, fit
from retrieval.text import http_url

COMMAND = "/ask"
# A hand-off job of this kind holds :func:`answer_privately`'s keyword arguments.
KIND = "ask"

log = logging.getLogger("newsdesk.slack")


def register(app: App, service: SlackService, command: str = COMMAND) -> None:
    @app.command(command)
    def on_ask_command(ack: Ack, command: dict[str, Any]) -> None:
        # on_ask only checks and queues the work, so ack() happens well within 3 seconds.
        ack(on_ask(service, command))


def on_ask(service: SlackService, command: Mapping[str, Any]) -> dict[str, Any]:
    """The immediate (ephemeral) acknowledgement of ``/ask``; starts the answer when there is
    one to give."""
    user = text(command, "user_id")
    channel = text(command, "channel_id")
    command_name = text(command, "command") or COMMAND
    response_url = text(command, "response_url")
    question = question_from_message(text(command, "text"), None)
    # trigger_id identifies one invocation; so does its response_url when it is missing.
    invocation = text(command, "trigger_id") or response_url
    if invocation and not service.replays.claim(dedupe_key("command", invocation)):
        log.info("Ignoring a repeated %s (%s)", command_name, invocation[:80])
        return {}
    if not question:
        return ack_ephemeral(render_usage(command_name))
    if channel and not service.channel_allowed(channel):
        return ack_ephemeral(render_notice(service.not_allowed_text(), emoji="", mrkdwn=True))
    if not http_url(response_url):
        log.warning("A %s without a usable response_url: not answered", command_name)
        return ack_ephemeral(render_notice("Sorry, I can't reply to that here. Please try again."))
    wait = service.limiter.acquire(user)
    if wait is not None:
        return ack_ephemeral(render_notice(service.limiter.message(wait), emoji=":hand:"))
    # Recorded before the acknowledgement (the return value): if this replica dies, another
    # answers through the same response_url.
    job = service.handoff.add(
        KIND,
        dedupe_key("command", invocation or new_id()),
        {"question": question, "response_url": response_url, "user": user, "channel": channel},
    )
    service.submit(
        lambda: answer_privately(
            service,
            question=question,
            response_url=response_url,
            user=user,
            channel=channel,
            job=job,
        )
    )
    return ack_ephemeral(
        render_notice(
            f"Looking that up: {truncate(question, 300)}", emoji=":hourglass_flowing_sand:"
        )
    )


def answer_privately(
    service: SlackService,
    *,
    question: str,
    response_url: str,
    user: str = "",
    channel: str = "",
    job: Job | None = None,
    too_late: bool = False,
) -> None:
    """The answer, visible only to the asker (``user``, who asked in ``channel``), with a button
    to share it (``too_late``: only an apology). ``job``, the hand-off record, is finished once
    the person has been told."""
    try:
        _answer_privately(service, question, response_url, user, channel, job, too_late)
    finally:
        service.handoff.done(job)


def _answer_privately(
    service: SlackService,
    question: str,
    response_url: str,
    user: str,
    channel: str,
    job: Job | None,
    too_late: bool,
) -> None:
    may_reply = service.may_reply(job)
    if too_late:
        if may_reply():
            notice = [render_notice(TOO_LATE)]
            deliver_privately(service, notice, notice, response_url, user=user, channel=channel)
        return
    service.yield_to_requests()
    try:
        answer = service.call_answer(question, ())
    except AnswerFailed as exc:
        if may_reply():
            notice = [render_notice(exc.user_message)]
            deliver_privately(service, notice, notice, response_url, user=user, channel=channel)
        return
    if not may_reply():
        return
    answer_id = service.remember(answer)

    def rendered(share: bool) -> list[SlackMessage]:
        messages = render_answer(
            answer,
            answer_id=answer_id,
            share=share and answer.status == "answered",
            show_question=True,
        )
        return fit(messages, MAX_RESPONSE_URL_POSTS)

    deliver_privately(
        service, rendered(True), rendered(False), response_url, user=user, channel=channel
    )


def deliver_privately(
    service: SlackService,
    messages: Sequence[SlackMessage],
    direct: Sequence[SlackMessage],
    response_url: str,
    *,
    user: str,
    channel: str,
) -> None:
    """``messages`` through the ``response_url``; what it does not take (expired, used up,
    Slack failing) goes by a second route: ephemeral in ``channel`` when the bot can post there,
    else ``direct`` (the same without the Share button) in the bot's DM with ``user``."""
    transport = service.transport
    sent = 0
    while sent < len(messages) and transport.respond(response_url, ephemeral(messages[sent])):
        sent += 1
    if sent == len(messages):
        return
    ref = new_reference()
    log.error(
        "Could not deliver a %s reply to %s through its response_url (ref %s): sending the "
        "rest (%d of %d messages) another way",
        COMMAND,
        user or "an unknown user",
        ref,
        len(messages) - sent,
        len(messages),
    )
    if not user:
        log.error("The %s reply was lost (ref %s): no user to send it to", COMMAND, ref)
        return
    rest = messages[sent:]
    if channel and transport.post_ephemeral(channel, user, None, rest[0]):
        log.info("Reply (ref %s) posted privately in the channel %s instead", ref, channel)
        for message in rest[1:]:
            transport.post_ephemeral(channel, user, None, message)
        return
    intro = render_notice(
        f"I couldn't reply where you used {COMMAND}, so here is my reply.",
        emoji=":information_source:",
    )
    for message in [intro, *direct[sent:]]:
        if not transport.direct_message(user, message):
            log.error(
                "The %s reply to %s was lost (ref %s): it could not be sent as a direct "
                "message either",
                COMMAND,
                user,
                ref,
            )
            return
    log.info("Reply (ref %s) sent to %s as a direct message instead", ref, user)
