"""The answer a noun asked about wants: "price" an amount, "club" an organisation, "date" a
date (the word lists are :mod:`bot.answer.question.words`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer.question.types import AnswerType
from bot.answer.question.words import (
    _ACCUSING_VERBS,
    _FOCUS_NOUNS,
    _MATCH_RESULT_NOUNS,
    _MATCH_WORDS,
    _TEAM_NOUNS,
)

if TYPE_CHECKING:
    from spacy.tokens import Token


# Adjectives that make a place's noun a measure: "the minimum area", "the total area".
_MEASURING = frozenset({"minimum", "maximum", "total", "average"})


def type_of_noun(
    noun: str, lemmas: set[str], tok: Token | None = None
) -> tuple[AnswerType, tuple[AnswerType, ...]] | None:
    """The answer a noun asked about wants ("price": an amount), or None; ``tok``, the noun in
    the question, when its modifiers may change it ("the minimum area": a size, not a place)."""
    typed = _noun_answer(noun, lemmas)
    if (
        typed is not None
        and typed[0] is AnswerType.PLACE
        and tok is not None
        and any(c.dep_ == "amod" and c.lemma_.lower() in _MEASURING for c in tok.children)
    ):
        return AnswerType.QUANTITY, ()
    return typed


def _noun_answer(noun: str, lemmas: set[str]) -> tuple[AnswerType, tuple[AnswerType, ...]] | None:
    if noun in _MATCH_RESULT_NOUNS:
        if lemmas & _MATCH_WORDS:
            return AnswerType.SCORE, ()
        return (AnswerType.QUANTITY, ()) if noun == "margin" else (AnswerType.DESCRIPTION, ())
    if noun == "charge" and lemmas & _ACCUSING_VERBS:
        return AnswerType.DESCRIPTION, ()
    if noun == "figure":
        # "What was the figure a year earlier?": any number; news writes it in money as often.
        return AnswerType.QUANTITY, (AnswerType.AMOUNT, AnswerType.COUNT)
    for answer, nouns in _FOCUS_NOUNS.items():
        if noun in nouns:
            if answer is AnswerType.ORGANISATION and noun in _TEAM_NOUNS:
                return answer, (AnswerType.PLACE,)
            if answer is AnswerType.PLACE and noun in _TEAM_NOUNS and lemmas & _MATCH_WORDS:
                return AnswerType.PLACE, (AnswerType.ORGANISATION,)
            if answer is AnswerType.DATE and noun == "time" and lemmas & {"run", "finish", "clock"}:
                return AnswerType.QUANTITY, (AnswerType.DATE,)
            return answer, ()
    return None
