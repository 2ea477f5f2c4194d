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


def test_a_questions_fold_depends_on_its_id_alone() -> None:
    # Adding or splitting one question must leave every other question in its fold, so that two
    # runs' cross-validated figures differ by what changed (CHANGELOG, session 20).
    import sys

    sys.path.insert(0, str(TRAINING))
    try:
        import fit_decision as fd
    finally:
        sys.path.remove(str(TRAINING))
    ids = [f"questions_a.jsonl:{n}" for n in range(200)]
    folds = [fd.fold_of(i) for i in ids]
    assert folds == [fd.fold_of(i) for i in reversed(ids)][::-1]
    assert set(folds) == set(range(fd.FOLDS))
    # Roughly even: no fold holds under half or over twice its share.
    share = len(ids) / fd.FOLDS
    assert all(share / 2 < folds.count(k) < share * 2 for k in range(fd.FOLDS))
