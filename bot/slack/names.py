"""Display names for the user and channel mentions in a question.

A question reads ``what did <@U0123ABCD> say?`` on the wire; the answerer should see the person's
name. Users are looked up with ``users.info`` (``profile.display_name``, else ``real_name``, else
``name``; needs ``users:read``) and channels with ``conversations.info`` (``name``; needs
``channels:read`` / ``groups:read``). Names are cached per id for the process (TTL). When a look-up
fails, the mention keeps the label Slack sent with it (``<@U0123ABCD|anna>``), else the id. The
bot's own mention is left for :func:`question_from_message` to remove.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.ttl import KeyValueCache, TTLCache
from bot.slack.text import escape, question_from_message

log = logging.getLogger("newsdesk.slack")

# <@U0123ABCD>, <@W0123|name>, <#C0123>, <#C0123|general> (ids are upper-case letters and digits).
_MENTION = re.compile(r"<([@#])([A-Z0-9]{2,32})(?:\|([^<>]*))?>")
# Names by id for an hour (a renamed person or channel is seen within the hour), at most this many.
NAMES_TTL_SECONDS = 3600
NAMES_MAX = 5000


def _string(container: Mapping[str, Any] | None, key: str) -> str:
    value = container.get(key) if isinstance(container, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def user_name(user: Mapping[str, Any]) -> str:
    """The name Slack shows for a ``users.info`` user: display name, real name, then handle."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, Mapping) else {}
    return (
        _string(profile, "display_name")
        or _string(profile, "real_name")
        or _string(user, "real_name")
        or _string(user, "name")
    )


class NameResolver:
    """Looks up and caches the names behind user and channel ids."""

    def __init__(self, client: WebClient, cache: KeyValueCache[str] | None = None) -> None:
        self.client = client
        # Failures are not cached, so the next question retries.
        self.cache: KeyValueCache[str] = (
            cache if cache is not None else TTLCache(NAMES_MAX, NAMES_TTL_SECONDS)
        )

    def user(self, user_id: str) -> str | None:
        return self._lookup("@" + user_id, self._fetch_user, user_id)

    def channel(self, channel_id: str) -> str | None:
        return self._lookup("#" + channel_id, self._fetch_channel, channel_id)

    def _lookup(self, key: str, fetch: Callable[[str], str], ident: str) -> str | None:
        name = self.cache.get(key)
        if name is not None:
            return name
        try:
            name = fetch(ident)
        except SlackApiError as exc:
            log.warning("Could not look up the name of %s: %s", ident, exc.response.get("error"))
            return None
        except Exception as exc:
            log.warning("Could not look up the name of %s: %s", ident, type(exc).__name__)
            return None
        if not name:
            log.warning("Slack gave no name for %s", ident)
            return None
        self.cache.put(key, name)
        return name

    def _fetch_user(self, user_id: str) -> str:
        user = self.client.users_info(user=user_id).get("user")
        return user_name(user) if isinstance(user, Mapping) else ""

    def _fetch_channel(self, channel_id: str) -> str:
        channel = self.client.conversations_info(channel=channel_id).get("channel")
        return _string(channel, "name") if isinstance(channel, Mapping) else ""

    def named(self, mrkdwn: str, *, skip_user: str | None = None) -> str:
        """``mrkdwn`` with each user and channel mention labelled with its current name."""

        def label(match: re.Match[str]) -> str:
            sigil, ident, old_label = match.group(1), match.group(2), match.group(3)
            if sigil == "@" and ident == skip_user:
                return match.group(0)
            name = self.user(ident) if sigil == "@" else self.channel(ident)
            if name is None:
                return match.group(0)
            # Escaped, and without "|", so that the name cannot end or fork the <...|label>.
            safe = escape(" ".join(name.replace("|", " ").split()))
            return f"<{sigil}{ident}|{safe or old_label or ident}>"

        return _MENTION.sub(label, mrkdwn)

    def question(self, mrkdwn: str, bot_user_id: str | None) -> str:
        """The question a user wrote, as plain text, with names instead of ids."""
        return question_from_message(self.named(mrkdwn, skip_user=bot_user_id), bot_user_id)
