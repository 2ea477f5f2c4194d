"""Slack mrkdwn in and out: escaping untrusted text, safe links, and reading users' messages.

Slack parses ``<...>`` in message text as control sequences: ``<!channel>`` pings a channel,
``<@U123>`` mentions a user and ``<http://x|label>`` shows ``label`` while linking anywhere.
Any text the bot did not write itself (article titles and bodies, model output, the user's own
question) therefore goes through :func:`escape` before the bot adds its own links with :func:`link`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from retrieval.text import http_url

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})

# A URL longer than this is not linked: it would eat the section budget and is almost certainly
# not a real article address.
MAX_URL_CHARS = 1500

# Characters kept as they are in a link target; everything else (including ``|``, ``<``, ``>``,
# spaces and quotes, which would end or fork Slack's ``<url|label>`` syntax) is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>``: the only three characters Slack asks apps to escape."""
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    """Undo :func:`escape` (``&amp;`` last, so that ``&amp;lt;`` stays the text ``&lt;``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def safe_url(url: str) -> str | None:
    """``url`` made safe to place inside ``<...|...>``, or None when it should not be linked."""
    url = http_url(url)
    if not url or len(url) > MAX_URL_CHARS:
        return None
    return escape(quote(url, safe=_URL_SAFE))


def link(url: str, label: str) -> str:
    """A mrkdwn link to ``url`` labelled with ``label`` (already escaped), or the label alone."""
    target = safe_url(url)
    if target is None:
        return label
    return f"<{target}|{label}>"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


# <@U123>, <@U123|name>, <#C123|general>, <!here>, <http://x|label>, <mailto:a@b>
_CONTROL = re.compile(r"<([^<>]*)>")


def _plain_control(inner: str, drop_user: str | None) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        if drop_user and target[1:] == drop_user:
            return ""
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        # Special mentions (<!here>, <!subteam^ID|@team>) carry no meaning for a question.
        return label or ""
    return label or target.removeprefix("mailto:")


def plain_text(mrkdwn: str, *, drop_user: str | None = None) -> str:
    """What a person reading ``mrkdwn`` sees, as plain text (Slack's markup and escapes removed).

    ``drop_user`` removes mentions of that user id entirely (the bot's own mention in a question).
    """
    text = _CONTROL.sub(lambda m: _plain_control(m.group(1), drop_user), mrkdwn)
    text = unescape(text)
    return " ".join(text.split()) if "\n" not in text else _tidy_lines(text)


def _tidy_lines(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def question_from_message(text: str, bot_user_id: str | None) -> str:
    """The question a user wrote, without the bot's mention or Slack markup."""
    return plain_text(text or "", drop_user=bot_user_id).strip()
