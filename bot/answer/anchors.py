"""Which retrieved sentences can matter to a question: those near what the question names.

Parsing a sentence with spaCy and embedding it are most of an answer's cost (issue 8), and a
question's passages hold 40-60 sentences. This module decides, on the raw text and before any
parse, which of them are worth it.

The rule. A question part's *anchors* are the content words (:func:`retrieval.text.content_terms`:
stemmed, stop words dropped) of what it names: its entities and proper nouns, numbers and dates
(:class:`bot.answer.question.types.QuestionPart`); a part that names nothing is anchored by its
content terms instead. A question's anchors are its parts' together. A sentence *names an anchor*
when one of its content words matches one (:func:`retrieval.text.term_in`, the matching the
generator and the citation check use). Kept: every sentence that names an anchor, and the
``neighbours`` sentences either side of it in the same passage (the window around it).

Why. The fitted decision reads windows, and every feature of a window that says "this is the
answer" is gated by the window's share of the part's constraints (``constraint_share x ...``,
:mod:`bot.answer.features`): a window where no sentence names a constraint scores on those only
through the article's title, which the window around a sentence that does name it in the same
article carries as well. Windows are therefore built around the sentences that name an anchor,
with their neighbours, exactly as before; the rest is never parsed nor embedded. The rule has no
threshold: a sentence names an anchor or it does not.

Tried as well: keeping every window that holds a sentence naming an anchor (so every sentence
within two of one): it skips less (30 % of the sentences against 38 %, ``bench/anchors.py``) and
the decision refitted on it cross-validated worse (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from retrieval.text import content_terms, term_in

if TYPE_CHECKING:
    from bot.answer.question.types import QuestionAnalysis, QuestionPart


def part_anchors(part: QuestionPart) -> frozenset[str]:
    """The content words of what ``part`` names; its content terms when it names nothing."""
    named = [m.text for m in (*part.entities, *part.numbers, *part.dates)]
    words = {t for text in named for t in content_terms(text)}
    if not words:
        words = {t for text in (part.text, *part.terms) for t in content_terms(text)}
    return frozenset(words)


def question_anchors(analysis: QuestionAnalysis) -> frozenset[str]:
    """Every part's anchors (:func:`part_anchors`), together."""
    found: set[str] = set()
    for part in analysis.parts:
        found |= part_anchors(part)
    return frozenset(found)


def names_anchor(text: str, anchors: frozenset[str]) -> bool:
    """Whether a content word of ``text`` matches one of ``anchors``."""
    return any(term_in(term, anchors) for term in set(content_terms(text)))


def anchored(texts: Sequence[str], anchors: frozenset[str] | None) -> list[bool]:
    """For each of a passage's sentences (in order): it names an anchor. With no anchors to test
    (``None`` or empty: nothing is known of the question) every sentence counts."""
    if not anchors:
        return [True] * len(texts)
    return [names_anchor(text, anchors) for text in texts]


def with_neighbours(centres: Sequence[bool], neighbours: int) -> list[bool]:
    """Each sentence that is a centre or lies within ``neighbours`` of one (same passage)."""
    n = len(centres)
    return [any(centres[max(0, i - neighbours) : min(n, i + neighbours + 1)]) for i in range(n)]
