"""Who did what (bot/citations/roles.py) with the real spaCy pipeline, on sentences written here:
swaps are caught, and paraphrases, passives, appositions and reported speech are not."""

from __future__ import annotations

import pytest
from spacy.language import Language

from bot.citations.roles import role_conflict
from retrieval.text import sentence_spans

PASSAGE = (
    "Arsenal beat Chelsea 2-1 at Highbury on Sunday.\n"
    "Arsene Wenger, the Arsenal manager, praised his young defenders.\n"
    "The Bank of England raised interest rates to 4.75%, analysts said.\n"
    "Chelsea were fined by the FA after the match.\n"
    "He later criticised the referee."
)

SWAPPED = [
    "Chelsea beat Arsenal at Highbury.",
    "Arsenal were beaten by Chelsea on Sunday.",
    "Analysts raised interest rates to 4.75%.",
    "The Bank of England said analysts raised interest rates.",
    "Chelsea praised Arsene Wenger.",
]

KEPT = [
    "Arsenal beat Chelsea 2-1 on Sunday.",
    "Chelsea were beaten by Arsenal at Highbury.",  # passive, the doer as agent
    "The Arsenal manager praised his young defenders.",  # apposition
    "Wenger praised the defenders.",  # the surname alone
    "Analysts said the Bank of England raised interest rates.",  # reported speech
    "The FA fined Chelsea after the match.",  # active for the passage's passive
    "Chelsea were fined after the match.",  # nobody named: nothing to swap
    "Wenger criticised the referee.",  # the passage's "he": the parse cannot say who
    "The match ended 2-1.",  # no verb of the passage to compare
    "The manager praised his young defenders.",  # a description may stand for Wenger
]


def conflict(claim: str, nlp: Language) -> str | None:
    sentences = [PASSAGE[s.start : s.end] for s in sentence_spans(PASSAGE)]
    return role_conflict(nlp(claim), list(nlp.pipe(sentences)))


@pytest.mark.parametrize("claim", SWAPPED)
def test_a_swap_of_who_did_what_is_a_conflict(claim: str, nlp: Language) -> None:
    assert conflict(claim, nlp), claim


@pytest.mark.parametrize("claim", KEPT)
def test_the_same_roles_in_other_words_are_no_conflict(claim: str, nlp: Language) -> None:
    assert conflict(claim, nlp) is None, claim


def test_the_reason_names_both_doers(nlp: Language) -> None:
    why = conflict("Chelsea beat Arsenal at Highbury.", nlp)
    assert why is not None and "'beat'" in why and "arsenal" in why and "chelsea" in why
