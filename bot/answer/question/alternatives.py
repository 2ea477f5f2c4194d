"""A question that offers its answers: "Which had the bigger opening weekend, A Series of
Unfortunate Events or Boogeyman?", "Who scored more goals, Henry or Rooney?". Each alternative
is one thing to find, usually in its own article; asked as one part, the evidence had to name
both in one window, and the question was abstained on or half answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.classify import _find_wh
from bot.answer.question.mentions import _mentions
from bot.answer.question.words import _SUBJECT_DEPS

if TYPE_CHECKING:
    from spacy.tokens import Doc

# The wh-words that ask which of the offered things ("what" too: "What sold more, X or Y?").
_CHOOSING = frozenset({"which", "who", "what"})
# What sets the offered things off from the question ("..., X or Y?", "...: X or Y?").
_OFFERING = frozenset({",", ":"})


def _alternatives(doc: Doc, idx: list[int]) -> list[tuple[list[int], set[int], bool]]:
    """One segment per alternative when the clause ends in "X or Y" set off by a comma or a
    colon, each naming something of its own, and its wh-word is the subject (it asks which of
    them): the clause without the other alternative. Empty otherwise ("Did X or Y win?" offers
    nothing to choose with a wh-word; "Which firm bought X or Y?" has no comma before them)."""
    wh = _find_wh(doc, idx)
    if wh.token is None or wh.token.lower_ not in _CHOOSING or wh.token.dep_ not in _SUBJECT_DEPS:
        return []
    members = set(idx)
    for tok in doc:
        if tok.i not in members or tok.lower_ != "or" or tok.dep_ != "cc":
            continue
        # The offered things start after the comma or colon that the "or" hangs below ("the
        # final of X or the last episode of Y": the parse may attach "or" to X, or to "final").
        start = next(
            (
                s
                for s in (min(t.i for t in a.subtree) for a in (tok.head, *tok.head.ancestors))
                if wh.token.i < s and doc[s - 1].text in _OFFERING
            ),
            None,
        )
        if start is None:
            continue
        # They run to the end of the clause, split by the "or".
        span = [i for i in idx if i >= start and not doc[i].is_punct]
        first_ids = [i for i in span if i < tok.i]
        second_ids = [i for i in span if i > tok.i]
        # Each names something of its own, as the question analysis finds names.
        if not (_mentions(doc, first_ids)[0] and _mentions(doc, second_ids)[0]):
            continue
        before = [i for i in idx if i < start]  # with the comma or colon: the part reads whole
        return [(before + ids, set(ids), False) for ids in (first_ids, second_ids)]
    return []
