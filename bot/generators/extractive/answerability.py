"""Answerability: whether the retrieved passages can answer a question (the core's abstention
test, compared with ``bot.core.MIN_RELEVANCE``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.generators.extractive.candidates import Scored, term_weights
from bot.generators.extractive.questions import (
    mentions_word,
    name_key,
    question_focus,
    question_names,
)
from retrieval.text import content_terms, normalise, term_in

if TYPE_CHECKING:
    from bot.types import Source

# Sentences either side of a sentence that count with it when judging answerability.
WINDOW = 1
# Each word of the asked-for thing ("salary") missing from the window multiplies its score by this.
FOCUS_PENALTY = 0.5
# Each name of the question (its last word) missing from the window multiplies it by this.
NAME_PENALTY = 0.7


@dataclass(frozen=True, slots=True)
class Answerability:
    """How well the retrieved passages can answer a question, and why not when they cannot."""

    score: float
    reason: str = ""


def answerability(
    question: str, scored: Sequence[Scored], sources: Sequence[Source]
) -> Answerability:
    """The best window of sentences, scored on what the question asks for.

    * A proper noun of the question that no retrieved passage mentions ("Brazil", "YouTube")
      means the articles are about something else: score -inf.
    * Otherwise each window (a sentence and its neighbours in the article) gets the share of the
      question's content words it contains (weighted by rarity among the retrieved sentences),
      halved for each word of the asked-for thing ("weather", "salary") it lacks, plus the best
      sentence's similarity to the question, halved (at most 1). The best window's score is
      compared with ``MIN_RELEVANCE`` by the core.
    """
    if not scored:
        return Answerability(float("-inf"), "no passage retrieved")
    corpus = " ".join(normalise(src.hit.title + "\n" + src.hit.text).lower() for src in sources)
    names = question_names(question)
    keys = [name_key(n) for n in names]
    missing = [n for n, key in zip(names, keys, strict=True) if not mentions_word(corpus, key)]
    if missing:
        return Answerability(
            float("-inf"), "the articles never mention " + ", ".join(repr(n) for n in missing)
        )
    cands = [s.candidate for s in scored]
    weights = term_weights(content_terms(question), cands)
    focus = question_focus(question)
    total = sum(weights.values()) or 1.0
    best = float("-inf")
    best_reason = ""
    for i, s in enumerate(scored):
        window = [
            cands[j]
            for j in range(i - WINDOW, i + WINDOW + 1)
            if 0 <= j < len(cands) and cands[j].article_id == s.candidate.article_id
        ]
        terms = frozenset().union(*(c.terms for c in window))
        got = sum(w for t, w in weights.items() if term_in(t, terms))
        lacking = [t for t in focus if not term_in(t, terms)]
        text = " ".join(normalise(c.text).lower() for c in window)
        absent = [k for k in keys if not mentions_word(text, k)]
        # Halved so that the score, like a cosine, is at most 1.
        value = (
            (got / total + s.similarity)
            / 2
            * FOCUS_PENALTY ** len(lacking)
            * NAME_PENALTY ** len(absent)
        )
        lacking = lacking + absent
        if value > best:
            best = value
            best_reason = f"no passage mentions {', '.join(lacking)}" if lacking else ""
    return Answerability(best, best_reason)
