"""What the extractive generator reads of a question comes from the core's question analysis
(spaCy), not from patterns of its own: the kinds of value asked for, the names, the parts."""

from __future__ import annotations

from typing import Any

import pytest

from bot.answer.nlp import load_nlp
from bot.answer.question import analyse
from bot.generators.extractive import asked_parts, asked_whole
from bot.generators.extractive.questions import mentions_word, name_key


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_nlp()


def test_a_score_question_asks_for_a_number_not_a_time(nlp: Any) -> None:
    # The old pattern read "when" and asked the sentences for a date.
    analysis = analyse("What was the score when Ireland beat Argentina?", nlp)
    whole = asked_whole(analysis)
    assert whole.kinds == ("number",)
    assert {"Ireland", "Argentina"} <= set(whole.names)
    assert asked_parts(analysis) == []


def test_names_are_the_analysis_entities_lower_case_ones_included(nlp: Any) -> None:
    question = "Which company won the eBay auction for space on Andrew Fisher's forehead?"
    whole = asked_whole(analyse(question, nlp))
    assert whole.kinds == ("name",)
    assert "eBay" in whole.names
    assert "fisher" in {name_key(n) for n in whole.names}


def test_compound_parts_each_with_their_kind_and_subject(nlp: Any) -> None:
    question = (
        "How much did Howard earmark for tax cuts, and what was Brown expected to do on "
        "petrol duty?"
    )
    parts = asked_parts(analyse(question, nlp))
    assert len(parts) == 2
    assert parts[0].kinds == ("number",) and parts[1].kinds == ()
    assert parts[0].names == ("Howard",) and parts[1].names == ("Brown",)
    assert all(p.standalone for p in parts)


def test_a_part_that_inherits_its_speaker_carries_the_name_and_is_not_standalone(nlp: Any) -> None:
    analysis = analyse("What did Howard say about truancy and about positive discrimination?", nlp)
    first, second = asked_parts(analysis)
    assert first.standalone and not second.standalone
    assert "Howard" in second.text and "positive discrimination" in second.text
    assert second.names == ("Howard",)
    assert asked_whole(analysis).standalone is False


def test_a_statement_question_asks_for_no_kind_of_value(nlp: Any) -> None:
    whole = asked_whole(analyse("What did Johnson say about Russia?", nlp))
    assert whole.kinds == ()
    assert set(whole.names) == {"Johnson", "Russia"}


def test_a_people_named_in_the_question_is_found_by_its_place(nlp: Any) -> None:
    # The evidence stage finds "Californians" in "the law in California"
    # (bot.answer.constraints); the generator's choice of article reads the name the same way.
    whole = asked_whole(analyse("How much can Californians claim in damages?", nlp))
    keys = [name_key(n) for n in whole.names]
    assert keys == ["californians"]
    assert mentions_word("the law in california comes into force", keys[0])
    assert not mentions_word("the law in the state comes into force", keys[0])
