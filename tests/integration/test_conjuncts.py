"""Coordinated names asked one thing each become one part per name
(``bot.answer.question.conjuncts``), with spaCy's real pipeline; the shapes that name one thing
together stay one part."""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.answer.nlp import load_nlp
from bot.answer.question import analyse


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp()


def parts(nlp: Language, question: str) -> list[tuple[str, list[str]]]:
    return [(p.text, [m.text for m in p.entities]) for p in analyse(question, nlp).parts]


def test_two_described_names_are_two_parts(nlp: Language) -> None:
    got = parts(
        nlp, "How old were the actor Peter Ustinov and the singer Ray Charles when they died?"
    )
    assert got == [
        ("How old were the actor Peter Ustinov when they died", ["Peter Ustinov"]),
        ("How old were the singer Ray Charles when they died", ["Ray Charles"]),
    ]


def test_names_with_each_are_two_parts(nlp: Language) -> None:
    got = parts(nlp, "How much did Pfizer and Merck each spend on research?")
    assert [names for _, names in got] == [["Pfizer"], ["Merck"]]


def test_name_at_place_pairs_are_two_parts(nlp: Language) -> None:
    got = parts(nlp, "Who replaced Carly Fiorina at Hewlett-Packard and Michael Eisner at Disney?")
    assert got == [
        ("Who replaced Carly Fiorina at Hewlett-Packard", ["Carly Fiorina", "Hewlett-Packard"]),
        ("Who replaced Michael Eisner at Disney", ["Michael Eisner", "Disney"]),
    ]


def test_possessive_phrases_are_two_parts(nlp: Language) -> None:
    got = parts(
        nlp, "What were the scores of Chelsea's win at Goodison Park and their draw with Fulham?"
    )
    assert got == [
        ("What were the scores of Chelsea's win at Goodison Park", ["Chelsea", "Goodison Park"]),
        ("What were the scores of their draw with Fulham", ["Fulham"]),
    ]


@pytest.mark.parametrize(
    "question",
    [
        # a pair a preposition relates: one match
        "Why was the match between Leeds and Millwall abandoned?",
        # one thing the pair has together
        "What did Tony Blair and Jacques Chirac agree on in their meeting?",
        # a list of more than two
        "Which factories will move to Poland, Hungary and Slovakia?",
        # topics that name nothing
        "What did the chancellor say about inflation and unemployment?",
    ],
)
def test_what_names_one_thing_stays_one_part(nlp: Language, question: str) -> None:
    assert len(analyse(question, nlp).parts) == 1
