"""What the listeners do once Slack has been acknowledged: answer, post, record, never stay silent.

The listeners (``bot/slack/listeners/``) only acknowledge and decide; the work runs here, on a
thread pool of its own so that slow answers never hold up Bolt's pool (which must stay free to
acknowledge slash commands and button clicks within Slack's 3 seconds).
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.common.deadline import AnswerFailed, AnswerFn, answer_within, new_reference
from bot.common.dedupe import Dedupe, InMemoryDedupe, dedupe_key
from bot.common.feedback import FeedbackRecord, FeedbackStore
from bot.common.ratelimit import RateLimiter
from bot.common.ttl import TTLCache
from bot.slack.edits import Answered, answer_edit, question_key
from bot.slack.history import answer_text, bot_in_thread, is_from_bot, turns_from_thread
from bot.slack.names import NameResolver
from bot.slack.payloads import first_action, ident, obj, text
from bot.slack.render import (
    ANSWER_EVENT_TYPE,
    FEEDBACK_ACTIONS,
    ButtonValue,
    SlackMessage,
    render_answer,
    render_notice,
    render_usage,
)
from bot.slack.text import question_from_message, truncate
from bot.types import Answer, Turn
from retrieval.text import http_url

WORKING_REACTION = "hourglass_flowing_sand"
# chat.postMessage errors after which nothing can be posted in the channel (not even ephemeral).
CANNOT_POST_ERRORS = ("channel_not_found", "not_in_channel", "is_archived", "channel_is_archived")
# A response_url accepts at most 5 posts; keep one for an error or the "shared" clean-up.
MAX_RESPONSE_URL_POSTS = 4
# Subtypes that are still a person writing to the bot; every other subtype (edits, deletions,
# joins, bot messages ...) is acknowledged and ignored.
QUESTION_SUBTYPES = (None, "thread_broadcast", "file_share")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,20}$")

log = logging.getLogger("newsdesk.slack")


def retry_handlers() -> list[Any]:
    """Retry dropped connections once, and honour HTTP 429 ``Retry-After`` (the SDK's default
    handlers only cover connection errors)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]


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
        limiter: RateLimiter | None = None,
        answer_timeout: float = 60.0,
        configured_generator: str = "",
        workers: int = 4,
        clock: Callable[[], float] = time.monotonic,
        dedupe: Dedupe | None = None,
        answers: TTLCache[str, Answer] | None = None,
        answered: TTLCache[tuple[str, str], Answered] | None = None,
    ) -> None:
        self.answer_fn = answer_fn
        self.client = client
        self.feedback = feedback
        self.allowed_channels = allowed_channels
        self.limiter = limiter or RateLimiter(0, clock=clock)
        self.answer_timeout = answer_timeout
        self.configured_generator = configured_generator
        # Event ids, messages, slash commands and clicks already handled (one shared interface,
        # so that replicas can share it: see bot.common.dedupe).
        self.seen: Dedupe = dedupe if dedupe is not None else InMemoryDedupe(clock=clock)
        # Threads recently checked and found not to involve the bot: saves a conversations.replies
        # call for every reply in a busy channel's threads. Short TTL, cleared when the bot posts.
        self.not_bot_threads = InMemoryDedupe(ttl=120, clock=clock)
        # Recent answers by id, so that a button click can find the full answer.
        self.answers: TTLCache[str, Answer] = answers or TTLCache(2000, 24 * 3600, clock)
        # Questions answered, by (channel, ts), so that an edit can be answered again.
        self.answered: TTLCache[tuple[str, str], Answered] = answered or TTLCache(
            10_000, 24 * 3600, clock
        )
        # Display names for the user and channel mentions in questions (cached per id).
        self.names = NameResolver(client)
        self.work = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsdesk-work")
        # Working indicators go through a small pool of their own: added at once, without the
        # Web API calls of a burst of questions all competing (for the GIL) with the acks.
        self.indicators = ThreadPoolExecutor(max_workers=2, thread_name_prefix="newsdesk-react")
        self._last_request = 0.0

    def close(self) -> None:
        self.work.shutdown(wait=False, cancel_futures=True)
        self.indicators.shutdown(wait=False, cancel_futures=True)

    def submit(self, fn: Callable[..., object], *args: Any) -> Future[None]:
        """Run ``fn`` on the work pool; an exception is logged, never silently dropped."""

        def run() -> None:
            try:
                fn(*args)
            except Exception:
                log.exception("Background task %s failed", getattr(fn, "__name__", fn))

        return self.work.submit(run)

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

    def answer_in_conversation(
        self,
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
    ) -> None:
        """Answer in a channel or DM (in the thread ``reply_ts`` when given) and clear the
        working indicator (``indicator``: the pending reactions.add), whatever happens."""

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
                    replies = self.thread_replies(channel, history_thread) or []
                history = turns_from_thread(
                    replies, before_ts=ts, bot_user_id=bot_user_id, bot_id=bot_id
                )
            self.yield_to_requests()
            if raw_text:  # mentions of people and channels become their names
                question = self.names.question(raw_text, bot_user_id) or question
            answer = self.call_answer(question, history)
            answer_id = new_id()
            self.answers.put(answer_id, answer)
            indicator_shown()
            messages = render_answer(answer, answer_id=answer_id, edited=edited)
            self.post(channel, reply_ts, messages, answer_id, answer.question)
        except AnswerFailed as exc:
            indicator_shown()
            self.post_notice(channel, reply_ts, exc.user_message)
        except SlackApiError as exc:
            ref = new_reference()
            error = exc.response.get("error") if exc.response is not None else None
            status = exc.response.status_code if exc.response is not None else None
            log.error(
                "Posting the answer in %s failed (ref %s): %s (HTTP %s)",
                channel,
                ref,
                error,
                status,
            )
            self.tell_privately(
                channel,
                user,
                reply_ts if in_thread else None,
                f"Sorry, I couldn't post my answer to your question here. (ref {ref})",
                can_post_here=error not in CANNOT_POST_ERRORS,
            )
        except Exception:
            ref = new_reference()
            log.exception("Could not answer in %s (ref %s)", channel, ref)
            self.post_notice(
                channel,
                reply_ts,
                f"Sorry, I couldn't post the answer. Please try again. (ref {ref})",
            )
        finally:
            indicator_shown()
            self.remove_reaction(channel, ts)

    def answer_privately(self, *, question: str, response_url: str) -> None:
        """``/ask``: the answer, visible only to the asker, with a button to share it."""
        self.yield_to_requests()
        try:
            answer = self.call_answer(question, ())
        except AnswerFailed as exc:
            self.respond(response_url, _ephemeral(render_notice(exc.user_message)))
            return
        answer_id = new_id()
        self.answers.put(answer_id, answer)
        messages = render_answer(
            answer, answer_id=answer_id, share=answer.status == "answered", show_question=True
        )
        for message in _fit(messages, MAX_RESPONSE_URL_POSTS):
            if not self.respond(response_url, _ephemeral(message)):
                break

    def share(self, body: Mapping[str, Any]) -> None:
        """ "Share in channel": post the private answer publicly, then remove the private copy."""
        value = ButtonValue.decode(text(first_action(body), "value"))
        user = ident(body, "user")
        channel = ident(body, "channel") or text(obj(body, "container"), "channel_id")
        response_url = text(body, "response_url")
        answer = self.answers.get(value.answer_id)
        try:
            if answer is None:
                if not value.question:
                    self.respond(
                        response_url,
                        _ephemeral(render_notice("This answer has expired: please /ask again.")),
                    )
                    return
                # The process restarted since the answer was given: answer again.
                answer = self.call_answer(value.question, ())
        except AnswerFailed as exc:
            self.respond(response_url, _ephemeral(render_notice(exc.user_message)))
            return
        answer_id = value.answer_id or new_id()
        self.answers.put(answer_id, answer)
        messages = render_answer(answer, answer_id=answer_id, show_question=True, shared_by=user)
        try:
            self.post(channel, None, messages, answer_id, answer.question)
        except SlackApiError as exc:
            if exc.response.get("error") not in ("not_in_channel", "channel_not_found"):
                ref = new_reference()
                log.exception("Sharing in %s failed (ref %s)", channel, ref)
                notice = f"Sorry, I couldn't share the answer here. (ref {ref})"
                self.respond(response_url, _ephemeral(render_notice(notice)))
                return
            # The bot is not a member here (or it is a DM between people): the response_url can
            # still post in the channel, as the app.
            for message in _fit(messages, MAX_RESPONSE_URL_POSTS):
                payload = {**message, "response_type": "in_channel", "replace_original": False}
                if not self.respond(response_url, payload):
                    return
        self.respond(response_url, {"delete_original": True})

    def record_feedback(self, body: Mapping[str, Any]) -> None:
        action = first_action(body)
        verdict = FEEDBACK_ACTIONS[text(action, "action_id")]
        value = ButtonValue.decode(text(action, "value"))
        answer = self.answers.get(value.answer_id)
        message = obj(body, "message")
        container = obj(body, "container")
        user = ident(body, "user")
        channel = ident(body, "channel") or text(container, "channel_id")
        record = FeedbackRecord(
            verdict=verdict,  # type: ignore[arg-type]
            user=user,
            question=answer.question if answer else value.question,
            answer=answer.text if answer else answer_text(message),
            prompt_id=answer.prompt_id if answer else value.prompt_id,
            generator=answer.generator if answer else "",
            status=answer.status if answer else "",
            answer_id=value.answer_id,
            channel=channel,
            message_ts=text(message, "ts") or text(container, "message_ts"),
        )
        try:
            self.feedback.record(record)
        except OSError:
            log.exception("Could not write feedback to %s", self.feedback.path)
            thanks = "Sorry, I couldn't record your feedback just now."
        else:
            log.info("Feedback %s from %s on answer %s", verdict, user, value.answer_id)
            thanks = "Thanks, your feedback was recorded."
        response_url = text(body, "response_url")
        if response_url:
            self.respond(response_url, _ephemeral(render_notice(thanks, emoji="")))
        elif channel and user:
            self.post_ephemeral(channel, user, None, render_notice(thanks, emoji=""))

    # --- Slack I/O ----------------------------------------------------------------------------

    def post(
        self,
        channel: str,
        thread_ts: str | None,
        messages: Sequence[SlackMessage],
        answer_id: str = "",
        question: str = "",
    ) -> list[str]:
        """Post ``messages`` in order (in the thread ``thread_ts``); returns their ts."""
        if thread_ts:
            self.not_bot_threads.discard(dedupe_key(channel, thread_ts))
        posted = []
        for part, message in enumerate(messages, start=1):
            kwargs: dict[str, Any] = {
                "channel": channel,
                "text": message["text"],
                "blocks": message["blocks"],
                # Article links would unfurl into large previews under every answer.
                "unfurl_links": False,
                "unfurl_media": False,
            }
            if thread_ts:
                kwargs["thread_ts"] = thread_ts
            if answer_id:
                kwargs["metadata"] = {
                    "event_type": ANSWER_EVENT_TYPE,
                    "event_payload": {
                        "answer_id": answer_id,
                        "part": part,
                        "parts": len(messages),
                        # Lets a thread under a shared answer (whose question is not a message
                        # of its own) still be read back as history.
                        "question": truncate(question, 500),
                    },
                }
            response = self.client.chat_postMessage(**kwargs)
            posted.append(str(response.get("ts", "")))
        return posted

    def post_notice(self, channel: str, thread_ts: str | None, text: str) -> None:
        try:
            self.post(channel, thread_ts, [render_notice(text)])
        except Exception:
            log.exception("Could not post a notice in %s: %s", channel, text)

    def tell_privately(
        self, channel: str, user: str, thread_ts: str | None, text: str, *, can_post_here: bool
    ) -> None:
        """A private note to ``user``: ephemeral in ``channel``, or a DM when the bot cannot
        post there (the channel is gone, archived, or the bot was removed)."""
        if not user:
            return
        if can_post_here:
            self.post_ephemeral(channel, user, thread_ts, render_notice(text))
            return
        try:
            # A bot posting to a user id writes in its DM with that user (the Messages tab).
            self.client.chat_postMessage(channel=user, **render_notice(text))
        except Exception as exc:
            log.warning("Could not tell %s privately either: %s", user, type(exc).__name__)

    def post_ephemeral(
        self, channel: str, user: str, thread_ts: str | None, message: SlackMessage
    ) -> None:
        kwargs: dict[str, Any] = {"channel": channel, "user": user, **message}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            self.client.chat_postEphemeral(**kwargs)
        except SlackApiError as exc:
            log.warning(
                "Could not post an ephemeral message in %s: %s", channel, exc.response.get("error")
            )
        except Exception as exc:
            log.warning(
                "Could not post an ephemeral message in %s: %s", channel, type(exc).__name__
            )

    def respond(self, response_url: str, payload: Mapping[str, Any]) -> bool:
        """Post to a ``response_url`` (slash command or button), honouring 429 like WebClient."""
        if not http_url(response_url):
            log.warning("No usable response_url to answer to: %r", response_url[:200])
            return False
        try:
            webhook = WebhookClient(response_url, timeout=10, retry_handlers=retry_handlers())
            response = webhook.send_dict(dict(payload))
        except (OSError, ValueError) as exc:  # the network, or a URL urllib cannot use
            log.warning("Posting to the response_url failed: %s: %s", type(exc).__name__, exc)
            return False
        if response.status_code != 200:
            log.error("response_url answered %s: %s", response.status_code, response.body)
            return False
        return True

    def add_reaction(self, channel: str, ts: str) -> None:
        self.yield_to_requests()
        try:
            self.client.reactions_add(channel=channel, timestamp=ts, name=WORKING_REACTION)
        except SlackApiError as exc:
            # already_reacted is harmless; anything else (e.g. missing reactions:write) is worth
            # a line in the log but must not stop the answer.
            if exc.response.get("error") != "already_reacted":
                log.warning("Could not add the working indicator: %s", exc.response.get("error"))
        except (OSError, ValueError) as exc:
            # The indicator is best effort: Slack out of reach is one line, not a traceback.
            log.warning("Could not add the working indicator: %s: %s", type(exc).__name__, exc)
        except Exception:
            log.exception("Could not add the working indicator")

    def remove_reaction(self, channel: str, ts: str) -> None:
        try:
            self.client.reactions_remove(channel=channel, timestamp=ts, name=WORKING_REACTION)
        except SlackApiError as exc:
            if exc.response.get("error") != "no_reaction":
                log.warning("Could not clear the working indicator: %s", exc.response.get("error"))
        except (OSError, ValueError) as exc:
            log.warning("Could not clear the working indicator: %s: %s", type(exc).__name__, exc)
        except Exception:
            log.exception("Could not clear the working indicator")

    def thread_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]] | None:
        """Every message of a thread, oldest first; None when Slack cannot be asked."""
        messages: list[dict[str, Any]] = []
        cursor = None
        try:
            for _ in range(10):  # at most 2,000 messages
                response = self.client.conversations_replies(
                    channel=channel,
                    ts=thread_ts,
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
                messages += response.get("messages") or []
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as exc:
            log.warning(
                "conversations.replies failed in %s: %s", channel, exc.response.get("error")
            )
            return None
        except Exception:
            log.exception("conversations.replies failed in %s", channel)
            return None
        return messages

    # --- entry points for the listeners -------------------------------------------------------

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
        if self.seen.claim(key):
            return True
        log.info("Ignoring a repeated click on %s", text(action, "action_id"))
        return False

    def on_message(
        self,
        event: Mapping[str, Any],
        *,
        bot_user_id: str | None,
        bot_id: str | None,
        mention: bool,
    ) -> None:
        """An ``app_mention`` (``mention=True``) or a ``message`` event, already acknowledged.

        Mentions are answered in a thread; DMs in the DM; other channel messages only when they
        are replies in a thread the bot has answered in (follow-ups). Everything else is ignored.
        """
        if event.get("subtype") == "message_changed":
            answer_edit(self, event, bot_user_id=bot_user_id, bot_id=bot_id)
            return
        if is_from_bot(event) or event.get("subtype") not in QUESTION_SUBTYPES:
            return
        channel = ident(event, "channel")
        ts = text(event, "ts")
        user = text(event, "user")
        if not (channel and ts and user):
            return
        thread_ts = text(event, "thread_ts")
        in_thread = bool(thread_ts) and thread_ts != ts
        is_dm = event.get("channel_type") == "im" or channel.startswith("D")
        replies: list[dict[str, Any]] | None = None

        if not mention and not is_dm:
            # A channel message: only a follow-up in a thread where the bot has answered.
            if not in_thread or dedupe_key(channel, thread_ts) in self.not_bot_threads:
                return
            if (
                dedupe_key("message", channel, ts) in self.seen
            ):  # already answered as an app_mention
                return
            replies = self.thread_replies(channel, str(thread_ts))
            if replies is None:
                return
            if not bot_in_thread(replies, bot_user_id, bot_id):
                self.not_bot_threads.claim(dedupe_key(channel, thread_ts))
                return

        # The same message arrives as app_mention and as message: whichever comes first answers.
        if not self.seen.claim(dedupe_key("message", channel, ts)):
            log.info("Skipping a second delivery of %s/%s", channel, ts)
            return

        # Mentions: in the thread (thread_ts = the event's thread_ts or its ts). DMs: in the DM,
        # or in the DM thread the question was asked in.
        reply_ts: str | None = str(thread_ts or ts)
        if is_dm:
            reply_ts = str(thread_ts) if in_thread else None
        question = question_from_message(text(event, "text"), bot_user_id)

        # Slack shows an ephemeral message in a thread only when the thread exists: a note to a
        # top-level mention goes to the channel, one to a reply into its thread.
        note_ts = thread_ts if in_thread else None
        if not self.channel_allowed(channel):
            self.post_ephemeral(
                channel,
                user,
                note_ts,
                render_notice(self.not_allowed_text(), emoji="", mrkdwn=True),
            )
            return
        if not question:
            self.post_ephemeral(
                channel,
                user,
                note_ts,
                render_notice(
                    "Ask me a question about the news, for example: "
                    "what did Johnson say about Russia?",
                    emoji=":wave:",
                ),
            )
            return
        wait = self.limiter.acquire(user)
        if wait is not None:
            self.post_ephemeral(
                channel, user, note_ts, render_notice(self.limiter.message(wait), emoji=":hand:")
            )
            return

        history_thread = str(thread_ts) if in_thread else None
        self.answered.put(
            (channel, ts), Answered(question_key(question), reply_ts, history_thread, in_thread)
        )
        self.start_answer(
            channel=channel,
            ts=ts,
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

    def start_answer(self, *, channel: str, ts: str, **kwargs: Any) -> None:
        """Show the working indicator on ``channel``/``ts`` and answer on the work pool."""
        indicator = self.indicators.submit(self.add_reaction, channel, ts)
        self.submit(
            lambda: self.answer_in_conversation(
                channel=channel, ts=ts, indicator=indicator, **kwargs
            )
        )

    def on_ask(self, command: Mapping[str, Any]) -> dict[str, Any]:
        """``/ask``: returns the immediate (ephemeral) acknowledgement and starts the answer."""
        user = text(command, "user_id")
        channel = text(command, "channel_id")
        command_name = text(command, "command") or "/ask"
        response_url = text(command, "response_url")
        question = question_from_message(text(command, "text"), None)
        # trigger_id identifies one invocation; so does its response_url when it is missing.
        invocation = text(command, "trigger_id") or response_url
        if invocation and not self.seen.claim(dedupe_key("command", invocation)):
            log.info("Ignoring a repeated %s (%s)", text(command, "command"), invocation[:80])
            return {}
        if not question:
            return _ack_ephemeral(render_usage(command_name))
        if channel and not self.channel_allowed(channel):
            return _ack_ephemeral(render_notice(self.not_allowed_text(), emoji="", mrkdwn=True))
        if not http_url(response_url):
            log.warning("A %s without a usable response_url: not answered", command_name)
            return _ack_ephemeral(
                render_notice("Sorry, I can't reply to that here. Please try again.")
            )
        wait = self.limiter.acquire(user)
        if wait is not None:
            return _ack_ephemeral(render_notice(self.limiter.message(wait), emoji=":hand:"))
        self.submit(lambda: self.answer_privately(question=question, response_url=response_url))
        return _ack_ephemeral(
            render_notice(
                f"Looking that up: {truncate(question, 300)}", emoji=":hourglass_flowing_sand:"
            )
        )


def _ephemeral(message: SlackMessage) -> dict[str, Any]:
    return {**message, "response_type": "ephemeral", "replace_original": False}


def _ack_ephemeral(message: SlackMessage) -> dict[str, Any]:
    return {**message, "response_type": "ephemeral"}


def _fit(messages: Sequence[SlackMessage], limit: int) -> list[SlackMessage]:
    """At most ``limit`` messages (a response_url takes 5 posts at most)."""
    if len(messages) <= limit:
        return list(messages)
    # The last message carries the sources and the buttons: keep it, drop from the middle.
    return [*messages[: limit - 1], messages[-1]]
