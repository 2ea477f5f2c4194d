"""What a question asks: its parts (a compound question), the names it mentions, and the thing it
asks for ("weather", "salary")."""

from __future__ import annotations

import re

from retrieval.text import (
    CALENDAR_WORDS,
    SENTENCE_OPENERS,
    STOPWORDS,
    content_terms,
    normalise,
    word_set,
)

# Capitalised words that are not names: sentence openers, months, days, and the like.
NOT_NAMES = SENTENCE_OPENERS | CALENDAR_WORDS | word_set("speaking asked writing talking you")

_SPLIT_CLAUSE = re.compile(
    r",?\s+and\s+(?=(?:what|which|who|whom|whose|how|why|where|when|by\s+what|at\s+what|"
    r"for\s+how)\b)",
    re.IGNORECASE,
)
_SPLIT_NAMES = re.compile(r"\b([A-Z][\w'’\-]*) and ([A-Z][\w'’\-]*)\b")
_SPLIT_PREPOSITION = re.compile(
    r",?\s+and\s+(about|against|at|on|over|for|in|with)\s+", re.IGNORECASE
)


def split_question(question: str) -> list[str]:
    """The parts of a compound question, each standing alone; ``[]`` for a simple one.

    "Who did X appoint, and how badly had the business been losing customers?" -> two questions;
    "What did Howard say about truancy and about positive discrimination?" -> "... about truancy?"
    and "What did Howard say about positive discrimination?".
    """
    text = question.strip().rstrip("?").strip()
    pieces = _SPLIT_CLAUSE.split(text)
    if len(pieces) < 2:
        m = _SPLIT_PREPOSITION.search(text)
        if not m:
            # "Ireland beat Argentina and Italy": one question per name.
            pair = _SPLIT_NAMES.search(text)
            if not pair or pair.start() == 0 or _capitalised_around(text, pair.start(), pair.end()):
                return []
            return [
                text[: pair.start()] + name + text[pair.end() :] + "?"
                for name in (pair.group(1), pair.group(2))
            ]
        first = text[: m.start()]
        prep = m.group(1)
        cut = first.lower().rfind(f" {prep.lower()} ")
        if cut < 0:
            return []
        pieces = [first, first[: cut + 1] + prep + " " + text[m.end() :]]
    parts = [p.strip() for p in pieces if len(p.split()) >= 3]
    if len(parts) < 2:
        return []
    return [p[0].upper() + p[1:] + "?" for p in parts]


def _capitalised_around(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word touches the span ("Theresa May and Donald Trump")."""
    before = text[:start].split()[-1:] or [""]
    after = text[end:].split()[:1] or [""]
    return bool(before[0][:1].isupper() or after[0][:1].isupper())


# Words that name the kind of answer, not a thing the articles must mention ("what level").
_ANSWER_KIND_WORDS = word_set(
    "level time times score scores kind sort type way extent amount number figure date year day "
    "month reason role part percentage proportion share"
)
# Sentences either side of a sentence that count with it when judging answerability.

_AUX = r"(?:did|does|do|has|have|had|will|would|was|were|is|are|can|could|should|might)"
_FOCUS_PATTERNS = (
    # "What was the weather like ...", "What is the exact text of ...", "What was the launch price
    # of ..." -> the noun phrase after "what is the".
    re.compile(
        r"^\s*(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+|a\s+|an\s+)?"
        r"(?P<np>(?:[a-z][\w\-]*\s+){0,3}?[a-z][\w\-]*)\s+(?:of|like|for|in|at|on|that|which)\b",
        re.IGNORECASE,
    ),
    # "What salary will ...", "What agreement on climate change did ...", "Which city won ...",
    # "How much damage did ...": the noun the question asks for.
    re.compile(
        r"^\s*(?:what|which|how\s+much|how\s+many)\s+(?P<np>[a-z][\w\-]*)\s+"
        rf"(?:{_AUX}\b|on\b|[a-z]+ed\b|won\b)",
        re.IGNORECASE,
    ),
    # "Who was named as Sir Alex Ferguson's successor": the role asked about.
    re.compile(r"\bas\s+(?:[A-Z][\w\-]*\s+){1,4}?[A-Z][\w\-]*['’]s\s+(?P<np>[a-z][\w\-]*)"),
)


def question_focus(question: str) -> list[str]:
    """Content words of the thing a question asks for ("weather", "salary", "population")."""
    for pattern in _FOCUS_PATTERNS:
        m = pattern.search(question)
        if m:
            words = [w for w in m.group("np").split() if w.lower() not in _ANSWER_KIND_WORDS]
            return content_terms(" ".join(words))
    return []


def question_names(question: str) -> list[str]:
    """Proper names of a question: runs of capitalised words after its first word, with a number
    that belongs to the name ("PlayStation 3", "Live 8")."""
    names = []
    for m in re.finditer(
        r"(?<![\w'’])([A-Z][\w'’\-&]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'’\-&]*)*)(\s+\d+\b)?",
        question,
    ):
        if m.start() == 0 and not m.group(2):
            # The question's first word is capitalised anyway ("What", "Who", "Name").
            rest = m.group(1).split()[1:]
            if not rest:
                continue
            run = " ".join(rest)
        else:
            run = m.group(1) + (m.group(2) or "")
        words = [w.removesuffix("'s").removesuffix("’s") for w in run.split()]
        words = [w for w in words if w.lower() not in STOPWORDS and w.lower() not in NOT_NAMES]
        if words:
            names.append(" ".join(words))
    return names


def name_key(name: str) -> str:
    """The word of a name that must appear: its last (a surname, "Committee", "3" with its word)."""
    words = name.split()
    if len(words) >= 2 and words[-1].isdigit():
        return " ".join(words[-2:]).lower()
    return words[-1].lower()


def mentions_word(text: str, word: str) -> bool:
    """Whether ``word`` (lower-case, maybe two words) occurs in ``text`` as whole word(s)."""
    word = normalise(word).lower()
    return re.search(r"(?<![\w])" + re.escape(word) + r"(?:'s|’s|s)?(?![\w])", text) is not None
