"""The unit an amount is asked per (bot.answer.values.per_unit): no spaCy needed."""

from __future__ import annotations

import pytest

from bot.answer.values import per_unit


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("What price per share did Johnson & Johnson pay for Guidant?", "share"),
        ("How much per head does the scheme cost?", "head"),
        ("What fine per broadcasts was proposed?", "broadcast"),
        # A time unit is written "annually", "a year", "in 2004": not required after a value.
        ("How much does the council cost taxpayers per year?", None),
        # "per cent" asks a share, not an amount per cent.
        ("What per cent of voters backed the plan?", None),
        ("How much did Barclays pay for Absa?", None),
    ],
)
def test_the_unit_an_amount_is_asked_per(question: str, unit: str | None) -> None:
    assert per_unit(question) == unit
