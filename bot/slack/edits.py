"""Edited questions: a ``message_changed`` event whose text changed gets a fresh answer.

The rule (also in docs/slack.md):

- Only a message the bot has answered (or was answering) in the last day is answered again (the
  map of answered questions is in memory unless a shared one is passed to ``create_app``, so a
  restart forgets it); an edit of any other message is ignored, even when the edit adds a
  mention of the bot (Slack sends no ``app_mention`` for an edit, and the person may not mean
  to ask).
- Only a real edit counts: Slack also sends ``message_changed`` when a link preview is attached,
  without ``edited``; those are ignored.
- Only a change of the words counts: the texts are compared once mentions and links are reduced
  to their labels and whitespace and ``*bold*`` / ``_italic_`` / ``~strike~`` / code marks are
  removed. A formatting-only edit is ignored.
- The fresh answer goes where the first one went (the message's thread), marked as an answer to
  the edited question. Each distinct wording is answered once, however often the event arrives.

This module decides; the ``message`` listener (``bot/slack/listeners/messages.py``) acts.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.common.dedupe import Dedupe, dedupe_key
from bot.common.ttl import KeyValueCache
from bot.slack.history import is_from_bot
from bot.slack.payloads import ident, obj, text
from bot.slack.text import question_from_message

log = logging.getLogger("newsdesk.slack")

_FORMATTING = re.compile(r"[*_~`]+")


def question_key(question: str) -> str:
    """``question`` (already plain text) with formatting marks and spacing removed."""
    return " ".join(_FORMATTING.sub("", question).split())


def answered_key(channel: str, ts: str) -> str:
    """The key of a question (the message ``channel``/``ts``) in the map of answered ones."""
    return dedupe_key("answered", channel, ts)


def edit_key(channel: str, ts: str, question: str) -> str:
    """The key of the answer to one wording of an edited question."""
    digest = hashlib.sha256(question_key(question).encode()).hexdigest()[:16]
    return dedupe_key("edit", channel, ts, digest)


@dataclass(frozen=True)
class Answered:
    """Where a question was answered, and the wording that was answered."""

    key: str
    reply_ts: str | None
    history_thread: str | None
    in_thread: bool


@dataclass(frozen=True)
class Reanswer:
    """An edit to answer: the new question and where to answer it."""

    channel: str
    ts: str
    user: str
    question: str
    raw_text: str
    answered: Answered


def edit_to_answer(
    event: Mapping[str, Any],
    answered: KeyValueCache[Answered],
    seen: Dedupe,
    *,
    bot_user_id: str | None,
) -> Reanswer | None:
    """The edit in a ``message_changed`` event that deserves a fresh answer, or None (logged)."""
    message = obj(event, "message")
    channel = ident(event, "channel")
    ts = text(message, "ts")
    user = text(message, "user")
    if not (channel and ts and user) or is_from_bot(message) or user == bot_user_id:
        return None
    if not message.get("edited"):
        return None  # a link preview attached, or another change that is not the person's edit
    first = answered.get(answered_key(channel, ts))
    if first is None:
        log.info("Ignoring an edit of %s/%s: that message was not answered", channel, ts)
        return None
    raw_text = text(message, "text")
    question = question_from_message(raw_text, bot_user_id)
    key = question_key(question)
    if not key:
        log.info("Ignoring an edit of %s/%s: no question left", channel, ts)
        return None
    if key == first.key:
        log.info("Ignoring an edit of %s/%s: only the formatting changed", channel, ts)
        return None
    if not seen.claim(edit_key(channel, ts, question)):
        log.info("Skipping a second delivery of the edit of %s/%s", channel, ts)
        return None
    answered.put(answered_key(channel, ts), replace(first, key=key))
    log.info("Answering the edited question %s/%s again", channel, ts)
    return Reanswer(channel, ts, user, question, raw_text, first)
