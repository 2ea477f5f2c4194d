"""Cleaning a question: one pure function, run before anything is built or loaded.

The core's validate step uses it, and so do the front ends that can refuse a question before any
model or store exists (``newsdesk ask``, the REPL): an empty question must not wait seconds for
the embedding model to load only to be told to ask one.

The rule:

* **invalid characters are replaced**, by U+FFFD (the Unicode replacement character), not refused:
  lone surrogates (what Python makes of a byte that is not UTF-8 in a command-line argument, and
  what an unpaired ``\\ud83d`` in JSON becomes) and control characters other than whitespace.
  The rest of the question is still answered, and the replacement shows where the bad byte was;
  the text is then always encodable, for the tokenizer and for the output alike.
* **whitespace collapses**: runs of spaces, tabs and line breaks become one space; the ends are
  trimmed.
* **refused with a message** (``QuestionError``): a question with nothing left but spaces and
  replacement characters ("Please ask a question."), or one longer than the limit once collapsed.
"""

from __future__ import annotations

import re

QUESTION_EMPTY = "Please ask a question."
# What a search (``newsdesk search``, the server's ``/search``) says instead, by the same rule.
SEARCH_EMPTY = "Please give something to search for."
REPLACEMENT = "\ufffd"

# Surrogates (never valid alone in text) and the C0/C1 control characters; the whitespace among
# them (tab, line breaks, ...) is kept and collapsed like any other.
_SUSPECT = re.compile("[\ud800-\udfff\x00-\x1f\x7f-\x9f]")


class QuestionError(ValueError):
    """The question cannot be asked; the message is for the user."""


def valid_text(text: object) -> str:
    """``text`` with invalid characters replaced by U+FFFD (anything not a string: ``""``)."""
    if not isinstance(text, str):
        return ""
    return _SUSPECT.sub(lambda m: m.group(0) if m.group(0).isspace() else REPLACEMENT, text)


def too_long_message(length: int, limit: int) -> str:
    return (
        f"The question is too long ({length:,} characters; the limit is {limit:,}). "
        "Please shorten it."
    )


def clean_question(text: object, max_chars: int) -> str:
    """The question as it will be searched for, or ``QuestionError`` with the user's message."""
    cleaned = " ".join(valid_text(text).split())
    if not cleaned.replace(REPLACEMENT, "").strip():
        raise QuestionError(QUESTION_EMPTY)
    if len(cleaned) > max_chars:
        raise QuestionError(too_long_message(len(cleaned), max_chars))
    return cleaned


def clean_query(text: object, max_chars: int) -> str:
    """A search query cleaned by the question's rule (``QuestionError`` saying so for a search)."""
    try:
        return clean_question(text, max_chars)
    except QuestionError as exc:
        if str(exc) == QUESTION_EMPTY:
            raise QuestionError(SEARCH_EMPTY) from None
        raise
