"""A Slack thread (``conversations.replies``) read back as conversation turns for the core.

Pure functions over the message dicts Slack returns, so that they are tested without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bot.slack.render import ANSWER_BLOCK_PREFIX, ANSWER_EVENT_TYPE
from bot.slack.text import plain_text, question_from_message
from bot.types import Turn

# Older turns add little to a follow-up and cost prompt space.
MAX_TURNS = 6

Message = Mapping[str, Any]


def ts_key(ts: str | None) -> tuple[int, int]:
    """Slack's ``ts`` ("1712345678.000200") as a sortable pair (float loses the last digits)."""
    seconds, _, micros = (ts or "0").partition(".")
    try:
        return int(seconds), int(micros.ljust(6, "0")[:6] or 0)
    except ValueError:
        return 0, 0


def is_own(message: Message, bot_user_id: str | None, bot_id: str | None) -> bool:
    return bool(
        (bot_id and message.get("bot_id") == bot_id)
        or (bot_user_id and message.get("user") == bot_user_id)
    )


def is_from_bot(message: Message) -> bool:
    """Any bot or app, including this one: their messages are never questions."""
    return bool(message.get("bot_id")) or message.get("subtype") == "bot_message"


def bot_in_thread(messages: Iterable[Message], bot_user_id: str | None, bot_id: str | None) -> bool:
    return any(is_own(m, bot_user_id, bot_id) for m in messages)


def is_answer(message: Message) -> bool:
    metadata = message.get("metadata")
    if isinstance(metadata, Mapping) and metadata.get("event_type") == ANSWER_EVENT_TYPE:
        return True
    return any(
        str(b.get("block_id", "")).startswith(ANSWER_BLOCK_PREFIX)
        for b in message.get("blocks") or ()
        if isinstance(b, Mapping)
    )


def _metadata_question(message: Message) -> str:
    metadata = message.get("metadata")
    payload = metadata.get("event_payload") if isinstance(metadata, Mapping) else None
    return str(payload.get("question") or "").strip() if isinstance(payload, Mapping) else ""


def answer_text(message: Message) -> str:
    """The answer text of one of the bot's messages, as plain text (links become their labels)."""
    parts = []
    for block in message.get("blocks") or ():
        if not isinstance(block, Mapping):
            continue
        if str(block.get("block_id", "")).startswith(ANSWER_BLOCK_PREFIX):
            text = block.get("text")
            if isinstance(text, Mapping):
                parts.append(plain_text(str(text.get("text", ""))))
    return " ".join(p for p in parts if p)


def turns_from_thread(
    messages: Sequence[Message],
    *,
    before_ts: str,
    bot_user_id: str | None,
    bot_id: str | None,
    max_turns: int = MAX_TURNS,
) -> list[Turn]:
    """Earlier (question, answer) pairs of a thread, oldest first, up to ``before_ts``.

    A person's message opens a turn; the bot's answer messages that follow (an answer may be
    split across several) fill it. Other bots' messages and the bot's own notices are skipped.
    """
    limit = ts_key(before_ts)
    questions: list[str] = []
    answers: list[list[str]] = []
    for message in sorted(messages, key=lambda m: ts_key(m.get("ts"))):
        if ts_key(message.get("ts")) >= limit:
            break
        if is_own(message, bot_user_id, bot_id):
            if not is_answer(message):
                continue
            if not questions:
                # A thread under a shared /ask answer: its question travels in the metadata.
                asked = _metadata_question(message)
                if not asked:
                    continue
                questions.append(asked)
                answers.append([])
            text = answer_text(message)
            if text:
                answers[-1].append(text)
            continue
        if is_from_bot(message) or message.get("subtype") not in (None, "thread_broadcast"):
            continue
        question = question_from_message(str(message.get("text", "")), bot_user_id)
        if question:
            questions.append(question)
            answers.append([])
    turns = [Turn(question=q, answer=" ".join(a)) for q, a in zip(questions, answers, strict=True)]
    return turns[-max_turns:] if max_turns > 0 else []
