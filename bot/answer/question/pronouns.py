"""What a later part's pronoun stands for, where the subject rules of
:func:`bot.answer.question.parts._inherit_subject` leave it unresolved.

* An object pronoun whose antecedent is the first part's object: "Who won best supporting
  actress at the Golden Globes, and who won it at the Oscars?" asks who won best supporting
  actress at the Oscars. The part takes the object's words (without a prepositional phrase the
  part puts its own in place of: "at the Oscars" for "at the Golden Globes") and the names in
  them.
* Any other pronoun that nothing in the part can stand for ("what did the Football Association
  decide to do about it?", "what did it sell for in Japan?", "which All Black scored two of
  them?") refers to the first part's story: the part takes the first part's names (but not one
  of a kind the part names itself: "the US launch price ..., and ... in Japan"), as a pronoun
  subject does when the first part has no one subject; "him" or "her", the first part's
  subject ("did Serena Williams beat her" after "did Sania Mirza beat Svetlana Kuznetsova").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer.question.frames import repeated_prepositions
from bot.answer.question.mentions import _content_terms, _mentions
from bot.answer.question.types import AnswerType, Mention, QuestionPart
from bot.answer.question.words import (
    _LIGHT_VERBS,
    _SUBJECT_DEPS,
    PERSON_LABELS,
    THIRD_PERSON_PRONOUNS,
    _is_wh,
    names_within,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_OBJECT_DEPS = frozenset({"dobj", "pobj", "dative"})
# Pronouns that stand for a thing or for people, and those that stand for a person only: a
# "he" may be a person the part names before it, an "it" may not.
_THING_PRONOUNS = frozenset({"it", "they", "them"})
_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "they", "them"})


def refer_back(
    part: QuestionPart, first: QuestionPart, doc: Doc, idx: list[int], first_idx: list[int]
) -> QuestionPart:
    """``part`` with what its unresolved pronoun stands for taken from ``first`` (module doc).
    The first part's object is taken whatever the subject rules took; its names only when they
    took nothing. ``part`` unchanged when it has no such pronoun."""
    pronouns = [doc[i] for i in idx if _unresolved(doc[i], part)]
    if not pronouns:
        return part
    # A thing: "it", "them". "Serena Williams beat her" after "did Sania Mirza beat Svetlana
    # Kuznetsova" is Mirza's story: a person is more often the first part's subject.
    objects = [p for p in pronouns if p.dep_ in _OBJECT_DEPS and p.lower_ in {"it", "them"}]
    antecedent = _object_antecedent(doc, idx, first_idx) if objects else []
    if antecedent:
        entities, numbers, dates = _mentions(doc, antecedent)
        terms = _content_terms(doc[i] for i in antecedent)
        relation = part.relation
        relation = replace(
            relation,
            object_terms=relation.object_terms
            + tuple(t for t in terms if t not in relation.object_terms),
        )
        return replace(
            part,
            entities=part.entities + _taken(entities, part.entities),
            numbers=part.numbers + _taken(numbers, part.numbers),
            dates=part.dates + _taken(dates, part.dates),
            terms=part.terms + tuple(t for t in terms if t not in part.terms),
            relation=relation,
            antecedent="".join(doc[i].text_with_ws for i in antecedent).strip(),
            inherited=(*part.inherited, "object"),
        )
    if part.inherited:
        return part
    subject = first.relation.subject
    if subject and any(p.lower_ in _PERSON_PRONOUNS - _THING_PRONOUNS for p in pronouns):
        people = tuple(
            replace(m, inherited=True)
            for m in first.entities
            if not m.inherited and names_within(m.text, subject)
        )
        if people:
            return replace(part, entities=part.entities + people, inherited=("subject",))
    # A name of the kind the part names itself is one the part puts in its place ("the US launch
    # price of Sony's PSP, and what did it sell for in Japan?").
    own = {m.label for m in part.entities if not m.inherited}
    names = tuple(
        replace(m, inherited=True) for m in first.entities if not m.inherited and m.label not in own
    )
    if not names:
        return part
    return replace(part, entities=part.entities + names, inherited=("names",))


def _taken(found: Sequence[Mention], have: Sequence[Mention]) -> tuple[Mention, ...]:
    known = {m.text.lower() for m in have}
    return tuple(replace(m, inherited=True) for m in found if m.text.lower() not in known)


def _unresolved(tok: Token, part: QuestionPart) -> bool:
    """A personal pronoun (not a possessive, which reads as the part's own subject's: "the sale
    of its unit") that no name of the part before it can stand for."""
    word = tok.lower_
    if tok.pos_ != "PRON" or word not in _THING_PRONOUNS | _PERSON_PRONOUNS:
        return False
    if tok.dep_ not in _OBJECT_DEPS | _SUBJECT_DEPS or tok.tag_ == "PRP$":
        return False
    if tok.dep_ in _OBJECT_DEPS:
        # An object pronoun refers past the part's own subject ("what did the FA decide to do
        # about it?"): a reflexive would say "itself".
        return True
    before = [m for m in part.entities if not m.inherited and m.end <= tok.idx]
    if word in _PERSON_PRONOUNS and _asked_subject_before(tok, part):
        return False
    if word in _THING_PRONOUNS - _PERSON_PRONOUNS:
        return not any(m.label != "PERSON" for m in before)
    if word in _PERSON_PRONOUNS - _THING_PRONOUNS:
        return not any(m.label in PERSON_LABELS for m in before)
    return not before


def _asked_subject_before(tok: Token, part: QuestionPart) -> bool:
    """The person the part asks for is the subject before the pronoun: "which Tory backbencher
    said he would offer ...", "who said she would ..." (he is the one asked about)."""
    for t in tok.doc[: tok.i]:
        if t.idx < part.start or t.dep_ not in {"nsubj", "nsubjpass"}:
            continue
        if t.lower_ == "who" or (
            part.answer_type is AnswerType.PERSON and t.lemma_.lower() == part.focus
        ):
            return True
    return False


def refers_back(tok: Token, part: QuestionPart) -> bool:
    """Whether ``tok`` is a third-person pronoun that may refer to the first part: not a
    personal pronoun (a possessive may) that a name the part itself gives before it can stand
    for ("they" in "how many points were Liverpool behind leaders Chelsea when they were linked
    with Morientes?" is Liverpool, not the first part's Robbie Fowler)."""
    if tok.lower_ not in THIRD_PERSON_PRONOUNS or tok.pos_ != "PRON":
        return False
    return not _names_before(tok, part)


def _names_before(tok: Token, part: QuestionPart) -> bool:
    word = tok.lower_
    if tok.tag_ == "PRP$":
        return False
    before = [m for m in part.entities if not m.inherited and m.end <= tok.idx]
    if word in _THING_PRONOUNS - _PERSON_PRONOUNS:
        return any(m.label != "PERSON" for m in before)
    if word in _PERSON_PRONOUNS - _THING_PRONOUNS:
        return any(m.label in PERSON_LABELS for m in before)
    return bool(before)


def _object_antecedent(doc: Doc, idx: list[int], first_idx: list[int]) -> list[int]:
    """The first part's direct object as token positions in order, without the wh-words' phrase
    and without a prepositional phrase whose preposition the later part repeats with its own
    object; empty when the first part's verb has no such object (or asks for it: "How many
    copies of Halo 2 had Microsoft sold")."""
    members = set(first_idx)
    verbs = [doc[i] for i in first_idx if doc[i].dep_ == "ROOT" and doc[i].pos_ == "VERB"]
    # "How many tries did New Zealand score ...", parsed with "did" as the root and "score" as
    # its object, has no object to refer to.
    if not verbs or verbs[0].lemma_.lower() in _LIGHT_VERBS:
        return []
    objects = [c for c in verbs[0].children if c.dep_ == "dobj" and c.i in members]
    if not objects or objects[0].pos_ not in {"NOUN", "PROPN"}:
        return []
    span = sorted(t.i for t in objects[0].subtree if t.i in members)
    if any(_is_wh(doc[i]) for i in span):
        return []
    repeated = repeated_prepositions(doc, idx)
    dropped: set[int] = set()
    for i in span:
        if doc[i].dep_ == "prep" and doc[i].lower_ in repeated:
            dropped |= {t.i for t in doc[i].subtree}
    return [i for i in span if i not in dropped and not doc[i].is_punct]
