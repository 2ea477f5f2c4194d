"""Cleaning a question (bot/question.py): one pure function, used before anything is loaded."""

from __future__ import annotations

import pytest

from bot.question import QUESTION_EMPTY, QuestionError, clean_question, valid_text


def test_whitespace_collapses_and_is_trimmed() -> None:
    assert clean_question("  What did\tJohnson\n\nsay?  ", 100) == "What did Johnson say?"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        # A non-UTF-8 byte in argv becomes a lone surrogate (U+DC80-U+DCFF) in Python.
        ("oil \udcff prices", "oil \ufffd prices"),
        # An unpaired surrogate from JSON ("\ud83d" without its partner).
        ("emoji \ud83d here", "emoji \ufffd here"),
        # Control characters other than whitespace.
        ("nul\x00 and bell\x07", "nul\ufffd and bell\ufffd"),
    ],
)
def test_invalid_characters_are_replaced_by_the_replacement_character(raw: str, clean: str) -> None:
    assert clean_question(raw, 100) == clean
    clean.encode("utf-8")  # always encodable: the tokenizer and the output can take it


def test_valid_text_keeps_whitespace_and_valid_characters() -> None:
    assert valid_text("  Zürich “Q” 東京 🙂\n") == "  Zürich “Q” 東京 🙂\n"
    assert valid_text("a\udcffb") == "a\ufffdb"
    assert valid_text(None) == ""


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\udcff", " \ufffd \udc80 ", None, 42])
def test_a_question_with_nothing_left_is_refused(raw: object) -> None:
    with pytest.raises(QuestionError) as caught:
        clean_question(raw, 100)
    assert str(caught.value) == QUESTION_EMPTY


def test_an_over_long_question_is_refused_after_collapsing() -> None:
    assert clean_question("ab " * 10, 29) == ("ab " * 10).strip()
    with pytest.raises(QuestionError, match=r"too long \(31 characters; the limit is 30\)"):
        clean_question("x" * 31, 30)
