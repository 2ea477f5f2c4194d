"""What a question asks, as the extractive generator reads it: from the core's question analysis
(:mod:`bot.answer.question`, spaCy's parse and entities), not from patterns of its own.

:class:`Asked` is what scoring needs of a question or of one part of a compound question: the
text it is scored against, the kinds of value it asks for and the names it mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.question.types import AnswerType, QuestionAnalysis, QuestionPart
from retrieval.text import demonym_places, normalise

# The kinds of value the scorer checks a sentence for (``scoring.type_match``), by answer type.
# A statement or a description has no kind of value of its own: keywords and similarity judge it.
_KINDS: dict[AnswerType, str] = {
    AnswerType.PERSON: "person",
    AnswerType.ORGANISATION: "name",
    AnswerType.PLACE: "place",
    AnswerType.AMOUNT: "number",
    AnswerType.COUNT: "number",
    AnswerType.QUANTITY: "number",
    AnswerType.SCORE: "number",
    AnswerType.DATE: "time",
    AnswerType.REASON: "reason",
}


@dataclass(frozen=True)
class Asked:
    """A question, or a part of one, as scoring reads it."""

    text: str  # what sentences are compared with (embedding, keywords)
    kinds: tuple[str, ...]  # "person", "name", "place", "number", "time", "reason"
    names: tuple[str, ...]  # the named entities it mentions, inherited ones included
    persons: tuple[str, ...] = ()  # those of them that name a person
    standalone: bool = True  # it names its own subject (not only "he", "it", or inherited names)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def asked_part(part: QuestionPart) -> Asked:
    """One part: its own words, plus the names it took over from the first part ("... and about
    positive discrimination" is asked of the first part's "Howard")."""
    text = part.query
    kind = _KINDS.get(part.answer_type)
    return Asked(
        text=text,
        kinds=(kind,) if kind else (),
        names=_unique([m.text for m in part.entities]),
        persons=_unique([m.text for m in part.entities if m.label == "PERSON"]),
        standalone=any(not m.inherited for m in part.entities),
    )


def asked_whole(analysis: QuestionAnalysis) -> Asked:
    """The whole question: every part's kinds and names."""
    parts = [asked_part(p) for p in analysis.parts]
    return Asked(
        text=analysis.question,
        kinds=_unique([k for p in parts for k in p.kinds]),
        names=_unique([n for p in parts for n in p.names]),
        persons=_unique([n for p in parts for n in p.persons]),
        standalone=all(p.standalone for p in parts),
    )


def asked_parts(analysis: QuestionAnalysis) -> list[Asked]:
    """The parts of a compound question; ``[]`` for a simple one."""
    if len(analysis.parts) < 2:
        return []
    return [asked_part(p) for p in analysis.parts]


def name_key(name: str) -> str:
    """The word of a name that must appear: its last (a surname, "Committee", "3" with its word)."""
    words = name.removesuffix("'s").removesuffix("’s").split()
    if not words:
        return ""
    if len(words) >= 2 and words[-1].isdigit():
        return " ".join(words[-2:]).lower()
    return words[-1].lower()


def mentions_word(text: str, word: str) -> bool:
    """Whether ``word`` (lower-case, maybe two words) occurs in ``text`` as whole word(s); a
    regular demonym ("californians") also by its place ("california": the evidence stage's
    ``bot.answer.constraints`` reads names the same way)."""
    word = normalise(word).lower()
    return any(
        re.search(r"(?<![\w])" + re.escape(w) + r"(?:'s|’s|s)?(?![\w])", text) is not None
        for w in (word, *demonym_places(word))
    )
