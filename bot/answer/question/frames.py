"""Later parts that repeat the first part's question with another phrase in place of one of its
own: "..., and in Dublin?" (a frame part: a prepositional phrase alone) and "..., and who for
Euronext?" (a wh-word with a phrase whose preposition the first part has too)."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer.question.mentions import _content_terms, _mentions
from bot.answer.question.types import AnswerType, Mention, QuestionPart

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


def _phrase_of(doc: Doc, first_tokens: Sequence[int], preps: AbstractSet[str]) -> list[int]:
    """For each of ``preps``, the first part's last prepositional phrase it heads ("for Deutsche
    Boerse"), as token positions within the first part in order; empty when it has none. A part
    that repeats several prepositions replaces a phrase for each: "..., and for Charlton in
    their draw at Middlesbrough?" puts its club, match and ground in place of the first part's
    ("Who scored for Rangers in their Old Firm win at Celtic Park"), keeping none of them."""
    members = set(first_tokens)
    last: dict[str, list[int]] = {}
    for i in first_tokens:
        tok = doc[i]
        if tok.pos_ == "ADP" and tok.lower_ in preps:
            last[tok.lower_] = [d.i for d in tok.subtree if d.i in members]
    return sorted({i for phrase in last.values() for i in phrase})


def repeated_prepositions(doc: Doc, idx: Sequence[int]) -> set[str]:
    """The prepositions of the part that have an object of their own ("for Euronext"); "..., and
    how many of them?" refers back: a pronoun puts nothing in a phrase's place."""
    return {
        doc[i].lower_
        for i in idx
        if doc[i].pos_ == "ADP"
        and any(c.dep_ == "pobj" and c.pos_ != "PRON" for c in doc[i].children)
    }


def _repeated_phrase(doc: Doc, idx: list[int], first: QuestionPart) -> list[Token]:
    """The first part's prepositional phrase whose preposition the verbless part repeats ("for
    Deutsche Boerse" for "who for Euronext"), in token order; empty when it repeats none."""
    preps = repeated_prepositions(doc, idx)
    first_tokens = [t.i for t in doc if first.start <= t.idx < first.end]
    return [doc[i] for i in _phrase_of(doc, first_tokens, preps)] if preps else []


def _frame_part(
    doc: Doc, idx: list[int], first: QuestionPart, first_idx: list[int]
) -> QuestionPart:
    """ "... and about discrimination": the first part's question, another prepositional object."""
    replaced = set(
        _phrase_of(doc, first_idx, {doc[idx[0]].lower_} | repeated_prepositions(doc, idx))
    )
    replaced_terms = set(_content_terms(doc[i] for i in sorted(replaced)))
    new_terms = _content_terms(doc[i] for i in idx)
    entities, numbers, dates = _mentions(doc, idx)
    old_entities, old_numbers, old_dates = _mentions(
        doc, [i for i in first_idx if i not in replaced]
    )

    def keep(ms: list[Mention]) -> tuple[Mention, ...]:
        return tuple(replace(m, inherited=True) for m in ms)

    relation = first.relation
    if first.answer_type is AnswerType.STATEMENT:
        relation = replace(relation, topic_terms=new_terms)
    else:
        kept = tuple(t for t in relation.object_terms if t not in replaced_terms)
        relation = replace(
            relation, object_terms=kept + tuple(t for t in new_terms if t not in kept)
        )
    kept_terms = tuple(t for t in first.terms if t not in replaced_terms)
    seg = doc[idx[0] : idx[-1] + 1]
    return replace(
        first,
        text=seg.text,
        start=seg.start_char,
        end=seg.end_char,
        entities=keep(old_entities) + tuple(entities),
        numbers=keep(old_numbers) + tuple(numbers),
        dates=keep(old_dates) + tuple(dates),
        relation=relation,
        terms=kept_terms + tuple(t for t in new_terms if t not in kept_terms),
        inherited=("frame", "subject") if first.relation.subject else ("frame",),
    )
