"""The claim builders of training/fit_support.py on a hand-made article, with the real spaCy
pipeline: each builds what its name says, and a swap really names something the passage lacks."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.answer.nlp import load_nlp
from bot.citations import find_verbatim, novel_names

TRAINING = Path(__file__).resolve().parents[2] / "training"
if str(TRAINING) not in sys.path:
    sys.path.insert(0, str(TRAINING))

import fit_support  # noqa: E402

# Written for this test (no corpus text).
PASSAGE = (
    "The council approved the new bridge, which will cost £40m, after a long debate on Tuesday. "
    "Mayor Helen Ward said that the bridge would open in 2027. "
    "Traffic on the old crossing has doubled since 2010."
)


@pytest.fixture(scope="module")
def sentences() -> list[Any]:
    doc = load_nlp()(PASSAGE)
    return list(doc.sents)


def test_shortened_drops_the_relative_clause_and_keeps_the_main_one(sentences: list[Any]) -> None:
    short = fit_support.shortened(sentences[0])
    assert short is not None
    assert short.startswith("The council approved the new bridge")
    assert "which will cost" not in short and short.endswith(".")
    # Not a quote of the passage: it is a claim the thresholds must judge.
    assert find_verbatim(short, PASSAGE) is None


def test_frame_dropped_keeps_what_was_said(sentences: list[Any]) -> None:
    assert fit_support.frame_dropped(sentences[1]) == "The bridge would open in 2027."
    # No reporting verb, no frame to drop.
    assert fit_support.frame_dropped(sentences[2]) is None


def test_merged_joins_two_adjacent_sentences_into_one(sentences: list[Any]) -> None:
    text = fit_support.merged(sentences[1], sentences[2])
    assert text == (
        "Mayor Helen Ward said that the bridge would open in 2027, and traffic on the old "
        "crossing has doubled since 2010."
    )
    assert find_verbatim(text, PASSAGE) is None


def test_a_swapped_name_or_number_is_absent_from_the_passage(sentences: list[Any]) -> None:
    pool = {"PERSON": ["Helen Ward", "John Park"], "DATE": ["2031"], "CARDINAL": ["2010", "1987"]}
    name = fit_support.swapped(sentences[1], ("PERSON",), pool, PASSAGE, random.Random(0))
    assert name is not None
    claim, replaced, replacement = name
    assert (replaced, replacement) == ("Helen Ward", "John Park")
    assert claim == "Mayor John Park said that the bridge would open in 2027."
    assert novel_names(claim, PASSAGE) == ["john", "park"]
    # A candidate the passage already names is never used: no swap is possible here.
    only_present = {"PERSON": ["Helen Ward"]}
    assert (
        fit_support.swapped(sentences[1], ("PERSON",), only_present, PASSAGE, random.Random(0))
        is None
    )
