"""Calling the answering core from a front end: with a deadline, and failures made plain.

Whatever goes wrong, the person asking gets a plain sentence and a short reference
(``ref 3f2a9c1d``); the exception, paths and internal names go only to the log, under the same
reference, so that a report from a user leads straight to the cause.

When the core answered with its offline (extractive) generator although another one was
configured, the answer carries a note saying so, and the log says why (timeout, error, draft
rejected by the citation check).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from bot.types import FALLBACK_NOTE, Answer, Turn

AnswerFn = Callable[[str, Sequence[Turn]], Answer]

log = logging.getLogger("newsdesk.frontends")

GENERIC_REASON = "something went wrong while answering"
# A reason the core gives is shown only when it reads as a sentence for people: letters, digits
# and plain punctuation. Anything with paths, brackets, code names or error class names is not.
_PLAIN = re.compile(r"^[A-Za-z0-9 ,.'’?!()\-]{3,200}$")
_INTERNAL = re.compile(r"(Error|Exception|Errno|errno|\bNone\b|__|\w\.\w|\w_\w)")
# The reference at the end of a message (see with_reference).
_REFERENCE = re.compile(r"\s*\(ref ([0-9a-f]{8})\)$")


def new_reference() -> str:
    """A short id for one failure, shown to the user and written beside the cause in the log."""
    return uuid.uuid4().hex[:8]


def with_reference(sentence: str, reference: str) -> str:
    return f"{sentence} (ref {reference})"


def split_reference(message: str) -> tuple[str, str | None]:
    """``message`` without the reference it ends with, and that reference (or None)."""
    found = _REFERENCE.search(message)
    if found is None:
        return message, None
    return message[: found.start()], found.group(1)


def failed_with_reference(logger: logging.Logger, sentence: str, exc: BaseException | None) -> str:
    """``sentence`` (plain, no final stop) with a new reference, for the person asking; ``exc``
    (whose text may hold paths and internal names) is logged under the same reference only."""
    reference = new_reference()
    cause = f"{type(exc).__name__}: {exc}" if exc is not None else "no exception"
    logger.error("%s (ref %s): %s", sentence, reference, cause, exc_info=exc)
    return with_reference(f"{sentence}.", reference)


class AnswerFailed(Exception):
    """Answering failed; ``user_message`` is plain, safe to show, and ends with the reference."""

    def __init__(self, user_message: str, reference: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.reference = reference


def plain_reason(error: str) -> str | None:
    """The part of a core error message fit for users ("Searching the articles failed" from
    "Searching the articles failed: [Errno 111] Connection refused"), or None."""
    head = error.split(": ", 1)[0].strip().rstrip(".")
    if _PLAIN.match(head) and not _INTERNAL.search(head):
        return head
    return None


def failure_message(reason: str, reference: str, *, again: bool = True) -> str:
    sentence = f"Sorry, {reason[:1].lower()}{reason[1:]}."
    if again:
        sentence += " Please try again later."
    return with_reference(sentence, reference)


def answer_within(
    answer_fn: AnswerFn,
    question: str,
    history: Sequence[Turn],
    timeout: float,
    *,
    configured_generator: str = "",
) -> Answer:
    """``answer_fn(question, history)`` with a deadline.

    Raises :class:`AnswerFailed` on an exception, a timeout or an ``error`` answer (each logged
    with its cause and a reference). A fallback to the extractive generator is logged and noted
    on the answer (``Answer.notes``).
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["answer"] = answer_fn(question, tuple(history))
        except BaseException as exc:  # reported below, in the waiting thread
            outcome["error"] = exc
        finally:
            done.set()

    # A thread per answer so that a hung core can be abandoned (threads cannot be killed) while
    # the user is told at once.
    threading.Thread(target=run, name="newsdesk-answer", daemon=True).start()
    reference = new_reference()
    if not done.wait(timeout):
        log.error(
            "Answering timed out after %.0f s (ref %s); question: %r", timeout, reference, question
        )
        raise AnswerFailed(
            f"Sorry, that took too long to answer. Please try again in a moment. (ref {reference})",
            reference,
        )
    error = outcome.get("error")
    if error is not None:
        log.error("Answering failed (ref %s); question: %r", reference, question, exc_info=error)
        if isinstance(error, TimeoutError) or "timeout" in type(error).__name__.lower():
            reason = "the answer took too long"
        else:
            reason = GENERIC_REASON
        raise AnswerFailed(failure_message(reason, reference), reference)
    answer: Answer = outcome["answer"]
    if answer.status == "error":
        # A failure the core already logged carries its reference: the person sees that one.
        reason, core_reference = split_reference(answer.error or answer.text)
        reference = core_reference or reference
        log.error(
            "Answer came back with an error (ref %s); question: %r: %s",
            reference,
            question,
            answer.error or answer.text,
        )
        plain = plain_reason(reason)
        message = failure_message(plain or GENERIC_REASON, reference, again=plain is None)
        raise AnswerFailed(message, reference)
    return note_fallback(answer, configured_generator, reference)


def fallback_reason(answer: Answer, configured_generator: str) -> str | None:
    """Why the core fell back to the extractive generator, or None when it did not."""
    if not configured_generator or configured_generator == "extractive":
        return None
    if answer.generator != "extractive":
        return None
    if answer.fallback:
        return answer.fallback
    # The core records each fallback as a Dropped with no text and the reason.
    reasons = [d.reason for d in answer.dropped if not d.text and "instead" in d.reason]
    return reasons[0] if reasons else "the configured generator was not used"


def note_fallback(answer: Answer, configured_generator: str, reference: str) -> Answer:
    reason = fallback_reason(answer, configured_generator)
    if reason is None or answer.status != "answered":
        return answer
    log.warning("Answer composed by the extractive fallback (ref %s): %s", reference, reason)
    if FALLBACK_NOTE in answer.notes:
        return answer
    return dataclasses.replace(answer, notes=(*answer.notes, FALLBACK_NOTE))
