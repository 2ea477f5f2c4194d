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


@pytest.mark.parametrize(
    "script", ["fit_decision.py", "fit_extractive.py", "fit_support.py", "word_budget.py"]
)
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

    import numpy as np

    sys.path.insert(0, str(TRAINING))
    try:
        import fit_decision as fd
    finally:
        sys.path.remove(str(TRAINING))
    rows = np.array([f"questions_a.jsonl:{n // 2}" for n in range(400)])  # two parts each
    before = fd.folds_of(rows)
    # A question added in the middle, and one of the others split in three parts.
    grown = np.insert(rows, 150, ["questions_a.jsonl:new", "questions_a.jsonl:7"])
    after = fd.folds_of(grown)
    assert list(np.delete(after, [150, 151])) == list(before)
    assert after[151] == before[14]  # the split question's new part joins its other parts
    assert set(before.tolist()) == set(range(fd.FOLDS))
    # Roughly even: no fold holds under half or over twice its share.
    share = len(rows) / fd.FOLDS
    assert all(share / 2 < int((before == k).sum()) < share * 2 for k in range(fd.FOLDS))


def _training_module(name: str):  # type: ignore[no-untyped-def]
    import importlib
    import sys

    sys.path.insert(0, str(TRAINING))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(TRAINING))


def test_the_default_word_budget_is_the_one_measured_on_our_questions() -> None:
    # The default budget is chosen by training/word_budget.py; the settings and the extractive
    # fit must use what its report chose (else the fit's objective is measured at another
    # length than users get).
    from bot.settings import AnswerSettings

    report = json.loads((TRAINING / "word_budget_report.json").read_text(encoding="utf-8"))
    wb = _training_module("word_budget")
    coverage = {int(b): row["all"]["coverage"] for b, row in report["table"].items()}
    assert report["chosen"] == wb.choose(coverage)
    assert AnswerSettings.model_fields["answer_max_words"].default == report["chosen"]
    assert report["chosen"] == _training_module("fit_extractive").MAX_WORDS
    apart = report["apart"]
    assert apart["chosen"] == wb.choose({int(b): r["coverage"] for b, r in apart["table"].items()})
    assert AnswerSettings.model_fields["answer_max_words_apart"].default == apart["chosen"]
    assert apart["chosen"] == _training_module("fit_extractive").MAX_WORDS_APART


def test_the_budget_rule_stops_where_more_words_stop_paying() -> None:
    wb = _training_module("word_budget")
    # +0.03 over the first 30 words, then under a point per 30 words.
    assert wb.choose({100: 0.80, 130: 0.83, 160: 0.835, 190: 0.84}) == 130
    # A late jump counts: 130 -> 250 gains 0.055 over 120 words (0.014 per 30).
    assert wb.choose({100: 0.80, 130: 0.83, 160: 0.835, 250: 0.885}) == 250
    assert wb.choose({100: 0.8, 200: 0.8}) == 100


def test_the_threshold_is_the_lowest_as_cautious_as_the_reference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    fd = _training_module("fit_decision")
    # Four unanswerable questions (one of two parts) and one answerable question.
    rows = [{"question_id": f"q{n}", "answerable": False} for n in (0, 1, 2, 3, 3)] + [
        {"question_id": "a", "answerable": True}
    ]
    prob = np.array([0.2, 0.4, 0.6, 0.1, 0.8, 0.3])  # q3's best part: 0.8
    monkeypatch.setattr(fd, "reference_caution", lambda _rows: 0.5)
    # At 0.4 one question of four (q0) is abstained on; at 0.405 two, the reference's share.
    assert fd.choose_threshold(rows, prob) == 0.405
    monkeypatch.setattr(fd, "reference_caution", lambda _rows: 0.75)
    assert fd.choose_threshold(rows, prob) == 0.605


def test_the_shipped_decision_is_as_cautious_as_the_reference_on_our_questions() -> None:
    report = json.loads((TRAINING / "decision_report.json").read_text(encoding="utf-8"))
    # On the unanswerable parts, by question (an unanswerable compound question's answered
    # part is not one): the cross-validated decision abstains on as many as the reference.
    assert report["models"]["logistic_regression"]["caution"] >= report["reference_caution"]
    params = json.loads((TRAINING.parent / "bot/answer/decision_params.json").read_text())
    assert params["threshold"] == report["models"]["logistic_regression"]["threshold"]


def test_answers_auc_ranks_questions_by_their_best_part(tmp_path: Path) -> None:
    def record(answerable: bool, probs: list[float]) -> dict[str, object]:
        parts = [{"probability": p} for p in probs]
        return {"answerable": answerable, "answer": {"decision": {"parts": parts}}}

    report = tmp_path / "answers.json"
    records = [
        record(True, [0.2, 0.9]),  # its best part ranks it above every unanswerable one
        record(True, [0.6]),
        record(False, [0.5, 0.1]),
        record(False, [0.7]),
        {"answerable": False, "answer": {}},  # an error: no decision, not counted
    ]
    report.write_text(json.dumps({"records": records}), encoding="utf-8")
    auc, n = _training_module("answers_auc").question_auc([report])
    assert n == 4
    assert auc == 0.75  # 3 of the 4 answerable-unanswerable pairs in order (0.6 < 0.7)


def test_compare_decisions_pools_files_and_counts_the_disagreements(tmp_path: Path) -> None:
    def report(name: str, records: list[tuple[str, bool, str, float]]) -> Path:
        path = tmp_path / name
        rows = [
            {
                "question": q,
                "answerable": answerable,
                "status": status,
                "answer": {"decision": {"parts": [{"probability": p}]}},
            }
            for q, answerable, status, p in records
        ]
        path.write_text(json.dumps({"records": rows}), encoding="utf-8")
        return path

    base = [
        report("a.json", [("a1", False, "answered", 0.7), ("a2", True, "answered", 0.8)]),
        report("b.json", [("b1", False, "no_answer", 0.3), ("b2", True, "no_answer", 0.4)]),
    ]
    candidate = [
        report("a2.json", [("a1", False, "no_answer", 0.2), ("a2", True, "answered", 0.9)]),
        report("b2.json", [("b1", False, "no_answer", 0.1), ("b2", True, "answered", 0.6)]),
    ]
    out = _training_module("compare_decisions").compare(base, candidate)
    assert out["questions"] == 4
    near = out["near_misses_abstained"]
    assert (near["of"], near["base"], near["candidate"]) == (2, 1, 2)
    assert (near["base_right_only"], near["candidate_right_only"]) == (0, 1)
    assert near["mcnemar_p"] == 1.0  # one disagreement is a coin's toss
    whole = out["answerable_abstained_on_whole"]
    assert (whole["base"], whole["candidate"]) == (1, 0)
    assert (whole["base_right_only"], whole["candidate_right_only"]) == (0, 1)
    assert out["question_auc"]["base"] == 0.75 and out["question_auc"]["candidate"] == 1.0
    with pytest.raises(SystemExit):
        _training_module("compare_decisions").compare(base, candidate[:1])
    answerable_only = [report("c.json", [("c1", True, "answered", 0.9)])]
    with pytest.raises(SystemExit, match="answerable and unanswerable"):
        _training_module("compare_decisions").compare(answerable_only, answerable_only)


def test_near_miss_kinds_pools_reports_by_the_kind_their_why_names(tmp_path: Path) -> None:
    questions = tmp_path / "questions_q.jsonl"
    near = [
        ("Who won the final?", "(b) outcome only previewed: the article is before the final"),
        ("How much did it cost?", "(a) amount never given"),
        ("Who bought it?", "(b) outcome only previewed"),
        ("What did she say about tax?", "The article quotes her on schools only."),
    ]
    lines = [{"question": q, "answerable": False, "article_ids": [], "why": why} for q, why in near]
    lines.append({"question": "When was it?", "answerable": True, "article_ids": ["x/1"]})
    questions.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    statuses = ["no_answer", "no_answer", "answered", "partial"]
    records = [
        {"question": q, "answerable": False, "status": s}
        for (q, _), s in zip(near, statuses, strict=True)
    ]
    records.append({"question": "When was it?", "answerable": True, "status": "no_answer"})
    report = tmp_path / "answers.json"
    # Written in another checkout: the file is read by its name from --questions-dir.
    report.write_text(
        json.dumps({"questions_file": "/elsewhere/questions_q.jsonl", "records": records}),
        encoding="utf-8",
    )
    kinds = _training_module("near_miss_kinds")
    counts = kinds.tally([report], tmp_path)
    assert counts["b"] == {"n": 2, "no_answer": 1, "answered": 1}
    assert counts["a"] == {"n": 1, "no_answer": 1}
    assert counts[kinds.UNLABELLED] == {"n": 1, "partial": 1}
    assert set(counts) == {"a", "b", kinds.UNLABELLED}  # the answerable question is no near miss


def test_the_signed_regression_keeps_each_weight_to_its_sign() -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] - 1.5 * x[:, 1] + rng.normal(size=400) > 0).astype(int)
    models = _training_module("decision_models")
    free = models.SignedLogisticRegression([0, 0]).fit(x, y)
    # Unconstrained, it is sklearn's L2 logistic regression at C=1.
    reference = LogisticRegression(C=1.0, tol=1e-10).fit(x, y)
    assert np.allclose(free.coef_, reference.coef_, atol=1e-3)
    assert np.allclose(free.intercept_, reference.intercept_, atol=1e-3)
    assert free.coef_[0, 1] < -0.5
    # Told the second feature can only raise the probability, its weight stops at 0.
    signed = models.SignedLogisticRegression([1, 1]).fit(x, y)
    assert signed.coef_[0, 1] == 0.0 and signed.coef_[0, 0] > 0.5
    assert signed.predict_proba(x).shape == (400, 2)
