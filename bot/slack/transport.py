"""How the bot talks to Slack: posting, private notes, ``response_url``, reactions, thread reads.

Nothing here decides what to say or where (that is the listeners' and
:mod:`bot.slack.conversation`'s business); everything here turns Slack's failures into a return
value or one line in the log, so that a caller can take another route and the user is never left
in silence by an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.slack.render import ANSWER_EVENT_TYPE, NOTICE_EVENT_TYPE, SlackMessage, render_notice
from bot.slack.text import truncate
from retrieval.text import http_url

WORKING_REACTION = "hourglass_flowing_sand"
# chat.postMessage errors after which nothing can be posted in the channel (not even ephemeral).
CANNOT_POST_ERRORS = ("channel_not_found", "not_in_channel", "is_archived", "channel_is_archived")
# A response_url accepts at most 5 posts; keep one for an error or the "shared" clean-up.
MAX_RESPONSE_URL_POSTS = 4

log = logging.getLogger("newsdesk.slack")


def retry_handlers() -> list[Any]:
    """Retry dropped connections once, and honour HTTP 429 ``Retry-After`` (the SDK's default
    handlers only cover connection errors)."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=1),
        RateLimitErrorRetryHandler(max_retry_count=3),
    ]


def slack_error(exc: SlackApiError) -> str | None:
    """The ``error`` Slack named (``channel_not_found`` ...), or None."""
    response = exc.response
    return response.get("error") if response is not None else None


def ephemeral(message: SlackMessage) -> dict[str, Any]:
    """A ``response_url`` post seen only by the person, added under the original."""
    return {**message, "response_type": "ephemeral", "replace_original": False}


def ack_ephemeral(message: SlackMessage) -> dict[str, Any]:
    """A slash command's immediate (private) reply, sent with the acknowledgement."""
    return {**message, "response_type": "ephemeral"}


def fit(messages: Sequence[SlackMessage], limit: int) -> list[SlackMessage]:
    """At most ``limit`` messages (a response_url takes 5 posts at most)."""
    if len(messages) <= limit:
        return list(messages)
    # The last message carries the sources and the buttons: keep it, drop from the middle.
    return [*messages[: limit - 1], messages[-1]]


class SlackTransport:
    """The Web API client and ``response_url`` posts, with Slack's failures made plain."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    # --- messages ---------------------------------------------------------------------------

    def post(
        self,
        channel: str,
        thread_ts: str | None,
        messages: Sequence[SlackMessage],
        answer_id: str = "",
        question: str = "",
        reply_to: str = "",
    ) -> list[str]:
        """Post ``messages`` in order (in the thread ``thread_ts``); returns their ts.

        ``reply_to`` (the hand-off key of the question answered) travels in the metadata, so
        that a replica taking the question over can see that its answer arrived
        (:func:`bot.slack.handoff.answer_in_slack`).

        Raises :class:`SlackApiError` (and the network's errors): the caller decides what the
        person is told.
        """
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
                        "reply_to": reply_to,
                    },
                }
            elif reply_to:
                kwargs["metadata"] = {
                    "event_type": NOTICE_EVENT_TYPE,
                    "event_payload": {"reply_to": reply_to},
                }
            response = self.client.chat_postMessage(**kwargs)
            posted.append(str(response.get("ts", "")))
        return posted

    def post_notice(
        self, channel: str, thread_ts: str | None, text: str, reply_to: str = ""
    ) -> None:
        try:
            self.post(channel, thread_ts, [render_notice(text)], reply_to=reply_to)
        except Exception:
            log.exception("Could not post a notice in %s: %s", channel, text)

    def post_ephemeral(
        self, channel: str, user: str, thread_ts: str | None, message: SlackMessage
    ) -> bool:
        """A message only ``user`` sees in ``channel``; False (and a log line) when it failed."""
        kwargs: dict[str, Any] = {"channel": channel, "user": user, **message}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        try:
            self.client.chat_postEphemeral(**kwargs)
        except SlackApiError as exc:
            log.warning("Could not post an ephemeral message in %s: %s", channel, slack_error(exc))
            return False
        except Exception as exc:
            log.warning(
                "Could not post an ephemeral message in %s: %s", channel, type(exc).__name__
            )
            return False
        return True

    def direct_message(self, user: str, message: SlackMessage) -> bool:
        """``message`` in the bot's DM with ``user`` (the app's Messages tab); False on failure."""
        try:
            # A bot posting to a user id writes in its DM with that user.
            self.client.chat_postMessage(
                channel=user, unfurl_links=False, unfurl_media=False, **message
            )
        except SlackApiError as exc:
            log.warning("Could not send a direct message to %s: %s", user, slack_error(exc))
            return False
        except Exception as exc:
            log.warning("Could not send a direct message to %s: %s", user, type(exc).__name__)
            return False
        return True

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
        if not self.direct_message(user, render_notice(text)):
            log.warning("Could not tell %s privately either", user)

    def respond(self, response_url: str, payload: Mapping[str, Any]) -> bool:
        """Post to a ``response_url`` (slash command or button), honouring 429 like WebClient.

        False (and a log line) when it could not be delivered: no usable URL, the network, or
        an HTTP error (an expired URL, a sixth post, Slack failing).
        """
        if not http_url(response_url):
            log.warning("No usable response_url to answer to: %r", response_url[:200])
            return False
        try:
            webhook = WebhookClient(response_url, timeout=10, retry_handlers=retry_handlers())
            response = webhook.send_dict(dict(payload))
        # The network, a URL urllib cannot use, or a reply that is not HTTP (http.client's
        # BadStatusLine, IncompleteRead: not OSErrors).
        except (OSError, ValueError, HTTPException) as exc:
            log.warning("Posting to the response_url failed: %s: %s", type(exc).__name__, exc)
            return False
        if response.status_code != 200:
            # A warning: the caller knows what was lost and logs that as the error.
            log.warning(
                "response_url answered %s: %s", response.status_code, str(response.body)[:200]
            )
            return False
        return True

    # --- the working indicator --------------------------------------------------------------

    def add_reaction(self, channel: str, ts: str, name: str = WORKING_REACTION) -> None:
        try:
            self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            # already_reacted is harmless; anything else (e.g. missing reactions:write) is worth
            # a line in the log but must not stop the answer.
            if slack_error(exc) != "already_reacted":
                log.warning("Could not add the working indicator: %s", slack_error(exc))
        except (OSError, ValueError) as exc:
            # The indicator is best effort: Slack out of reach is one line, not a traceback.
            log.warning("Could not add the working indicator: %s: %s", type(exc).__name__, exc)
        except Exception:
            log.exception("Could not add the working indicator")

    def remove_reaction(self, channel: str, ts: str, name: str = WORKING_REACTION) -> None:
        try:
            self.client.reactions_remove(channel=channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            if slack_error(exc) != "no_reaction":
                log.warning("Could not clear the working indicator: %s", slack_error(exc))
        except (OSError, ValueError) as exc:
            log.warning("Could not clear the working indicator: %s: %s", type(exc).__name__, exc)
        except Exception:
            log.exception("Could not clear the working indicator")

    # --- reading ------------------------------------------------------------------------------

    def channel_history(self, channel: str, oldest: str) -> list[dict[str, Any]] | None:
        """The latest (at most 200) messages after ``oldest`` outside threads; None when Slack
        cannot be asked."""

        def read() -> list[dict[str, Any]]:
            response = self.client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=200
            )
            return list(response.get("messages") or [])

        return _read("conversations.history", channel, read)

    def thread_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]] | None:
        """Every message of a thread, oldest first; None when Slack cannot be asked."""

        def read() -> list[dict[str, Any]]:
            messages: list[dict[str, Any]] = []
            cursor = None
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
            return messages

        return _read("conversations.replies", channel, read)


Messages = list[dict[str, Any]]


def _read(method: str, channel: str, read: Callable[[], Messages]) -> Messages | None:
    """``read()``, or None (and one line in the log) when Slack cannot be asked."""
    try:
        return read()
    except SlackApiError as exc:
        log.warning("%s failed in %s: %s", method, channel, slack_error(exc))
        return None
    except Exception:
        log.exception("%s failed in %s", method, channel)
        return None
