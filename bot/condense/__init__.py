"""Turn a follow-up ("and what about China?") into a standalone question from earlier turns.

With a chat model configured the model rewrites it (``prompts/condense.txt``); offline, and
whenever the model fails, a deterministic rewrite does. The rewrite works on the shape of the
previous question: for "What did Johnson say about Russia?" it knows the speaker (Johnson) and
the topic (Russia), so "and what about China?" replaces the topic, "and Tillerson?" the
speaker, "what did he say about Syria?" resolves "he", and "why?" becomes "Why did Johnson say
that about Russia?". Anything it cannot place is combined with the previous question's key
terms, which is still what retrieval needs.

The package: this module (the entry point, and the rewrite with a chat model) and
``bot.condense.rewrite`` (the deterministic rewrite).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from bot.condense.rewrite import key_terms, looks_standalone, rewrite_follow_up
from bot.prompts import CONDENSE_PROMPT, Prompt, load_prompt
from bot.types import NO_ANSWER_MESSAGE, Turn

__all__ = [
    "HISTORY_TURNS",
    "clean_model_question",
    "condense_question",
    "format_history",
    "key_terms",
    "looks_standalone",
    "previous_standalone",
    "rewrite_follow_up",
]

log = logging.getLogger(__name__)

# The condense prompt sees the last few turns only: older ones rarely matter and cost tokens.
HISTORY_TURNS = 4
_ANSWER_CHARS = 300
_MAX_STANDALONE_CHARS = 500
_DEFAULT_TIMEOUT_S = 30.0


def condense_question(
    question: str,
    history: Sequence[Turn],
    chat_model: Any | None = None,
    prompt: Prompt | None = None,
    *,
    timeout: float | None = None,
) -> str:
    """The standalone form of ``question`` given the earlier ``history`` (oldest first)."""
    question = " ".join(question.split())
    if not history or not question:
        return question
    if chat_model is not None:
        rewritten = _condense_with_model(question, history, chat_model, prompt, timeout)
        if rewritten:
            return rewritten
    return rewrite_follow_up(question, previous_standalone(history))


def previous_standalone(history: Sequence[Turn]) -> str:
    """The last question of ``history`` made standalone by folding the rewrite over the turns."""
    standalone = ""
    for turn in history:
        q = " ".join(turn.question.split())
        if not q:
            continue
        standalone = rewrite_follow_up(q, standalone) if standalone else q
    return standalone


# --- with a chat model ---------------------------------------------------------------------


def format_history(history: Sequence[Turn], turns: int = HISTORY_TURNS) -> str:
    lines = []
    for turn in list(history)[-turns:]:
        lines.append(f"User: {' '.join(turn.question.split())}")
        answer = " ".join(turn.answer.split())
        if answer:
            if len(answer) > _ANSWER_CHARS:
                answer = answer[: _ANSWER_CHARS - 1].rstrip() + "…"
            lines.append(f"Assistant: {answer}")
    return "\n".join(lines)


def _condense_with_model(
    question: str,
    history: Sequence[Turn],
    chat_model: Any,
    prompt: Prompt | None,
    timeout: float | None,
) -> str | None:
    # Imported here: bot.generators.llm is light, but keeping the offline path free of it is
    # the point.
    from bot.generators import GeneratorError
    from bot.generators.llm import invoke_chat

    try:
        template = prompt or load_prompt(CONDENSE_PROMPT)
        text = template.render(history=format_history(history), question=question)
        limit = timeout if timeout is not None else _model_timeout(chat_model)
        reply = invoke_chat(chat_model, text, timeout=limit)
    except (GeneratorError, ValueError) as exc:
        log.warning("Condensing the follow-up with the model failed (%s); rewriting offline", exc)
        return None
    cleaned = clean_model_question(reply)
    if cleaned is None:
        log.warning("The model's standalone question was unusable: %r", reply[:200])
    return cleaned


def clean_model_question(reply: str) -> str | None:
    """The question from a model's reply, without labels or quotes; None if unusable."""
    for line in reply.strip().splitlines():
        text = line.strip()
        if not text:
            continue
        text = re.sub(
            r"^(?:\*\*)?(?:standalone|rewritten|follow-up)?\s*question\s*:\s*(?:\*\*)?\s*",
            "",
            text,
            flags=re.I,
        )
        text = text.strip().strip("\"'`“”‘’").strip()
        if not text or len(text) > _MAX_STANDALONE_CHARS or text == NO_ANSWER_MESSAGE:
            return None
        return text
    return None


def _model_timeout(chat_model: Any) -> float:
    for attr in ("request_timeout", "default_request_timeout", "timeout"):
        value = getattr(chat_model, attr, None)
        if isinstance(value, int | float) and value > 0:
            return float(value)
    return _DEFAULT_TIMEOUT_S
