"""A question about two named things joined by "and" in one clause ("How many jobs are ABN Amro
and Marsh & McLennan cutting?", "What dealings did directors Quentin Tarantino and Peter Jackson
have with New Line Cinema?"): the clause asked of each thing apart (:func:`coordinated`).

The analysis only offers this reading (``QuestionAnalysis.apart``); the evidence stage takes it
when no passage names every constraint together while each thing is named in a passage of its
own (:func:`bot.answer.judge.weigh_parts`). So "the match between Ireland and England" stays one
thing: its report names both sides. The rules that split such a clause from its words alone
(:mod:`bot.answer.question.distributed`: "each", a plural noun asked of names, speakers) keep
their place before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.classify import _find_wh
from bot.answer.question.distributed import _over_conjuncts
from bot.answer.question.mentions import _mentions

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Conjuncts that are verbs join clauses, not things (:mod:`bot.answer.question.joined_verbs`).
_CLAUSE_POS = frozenset({"VERB", "AUX"})
# Conjuncts that modify a noun name a kind of it ("which Labour and Tory MPs"), even when the
# parse misses the asking phrase.
_MODIFIER_DEPS = frozenset({"nmod", "amod", "compound"})


def coordinated(doc: Doc, idx: list[int]) -> list[tuple[list[int], set[int], bool]]:
    """One segment per conjunct of the clause's first "and" coordination of things (not verbs,
    nor a noun's modifiers: "which Labour and Tory MPs" asks of one kind), outside the phrase
    asked with, when every conjunct names something of its own (segments as
    :func:`bot.answer.question.distributed._over_conjuncts` makes them: a name written with "&"
    is one conjunct). Empty when there is none."""
    members = set(idx)
    wh = _find_wh(doc, idx)
    asking = {t.i for t in wh.focus.subtree} if wh.focus is not None else set()
    for tok in doc:
        if tok.i not in members or tok.dep_ != "conj" or tok.head.dep_ == "conj":
            continue
        first = tok.head
        if first.i not in members or first.i in asking or tok.i in asking:
            continue
        if first.pos_ in _CLAUSE_POS:  # joined verbs: bot.answer.question.joined_verbs
            continue
        if first.dep_ in _MODIFIER_DEPS:  # "Labour and Tory MPs": one kind of thing
            continue
        if not any(c.dep_ == "cc" and c.lower_ == "and" for c in first.children):
            continue
        segments = _over_conjuncts(doc, idx, first, set())
        if segments and all(_mentions(doc, sorted(own))[0] for _, own, _ in segments):
            return segments
    return []
