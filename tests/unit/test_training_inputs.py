"""The fitting scripts read our training questions only: the dev and seed question files are
test sets (training/README.md), so no `make fit` script may name them; the citation check's
report says it was fitted on every question file of this folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TRAINING = Path(__file__).resolve().parents[2] / "training"
# File names of the shared test sets (../shared/eval/...).
TEST_SETS = ("questions_dev", "seed_questions")


@pytest.mark.parametrize("script", ["fit_decision.py", "fit_extractive.py", "fit_support.py"])
def test_a_fitting_script_names_no_test_set(script: str) -> None:
    text = (TRAINING / script).read_text(encoding="utf-8")
    assert [name for name in TEST_SETS if name in text] == []


def test_the_support_report_was_fitted_on_every_question_file_of_ours() -> None:
    report = json.loads((TRAINING / "support_report.json").read_text(encoding="utf-8"))
    assert report["training"] == sorted(p.name for p in TRAINING.glob("questions_*.jsonl"))
    assert sorted(report["claims"]) == report["training"]
