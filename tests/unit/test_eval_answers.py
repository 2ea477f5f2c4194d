"""Answer evaluation: the metrics and the report (pure)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.eval.answers import (
    citation_support,
    evaluate_answers,
    mention_coverage,
    print_answer_report,
)
from bot.eval.data import EvalDataError, load_duplicates, load_questions, question_type
from bot.types import Answer, Citation
from retrieval.types import Hit


def test_mention_coverage_ignores_case_quotes_and_markers() -> None:
    text = "He said Russia has “a Choice” [1]. It was toxifying [2] the reputation."
    cov, found, missing = mention_coverage(text, ["a choice", "toxifying the reputation", "Assad"])
    assert found == ["a choice", "toxifying the reputation"]
    assert missing == ["Assad"]
    assert cov == pytest.approx(2 / 3)
    assert mention_coverage("anything", [])[0] == 1.0


def _answer(text: str, cited: dict[int, str]) -> Answer:
    return Answer(
        question="q",
        text=text,
        status="answered",
        citations=tuple(Citation(n, aid, "t") for n, aid in cited.items()),
    )


def test_citation_support_counts_duplicates_of_gold_articles() -> None:
    answer = _answer("One. [1] Two. [2] Three. [1, 3] Uncited.", {1: "a", 2: "b", 3: "c"})
    dup = {"b": {"b", "gold"}, "gold": {"b", "gold"}}
    # Sentence 1 cites a (not gold), 2 cites b (duplicate of gold), 3 cites a and c.
    assert citation_support(answer, ["gold"], dup) == (1, 3)
    assert citation_support(answer, ["a"], {}) == (2, 3)


def test_question_type_defaults() -> None:
    assert question_type({"type": "multi"}) == "multi"
    assert question_type({"answerable": True}) == "single"
    assert question_type({"answerable": False}) == "unanswerable"


def test_loaders_report_bad_lines(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "ok?"}\nnot json\n', encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"q\.jsonl:2"):
        load_questions(bad)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="no questions"):
        load_questions(empty)
    dups = tmp_path / "d.json"
    dups.write_text(json.dumps({"exact_duplicate_groups": [["a", "b"]]}), encoding="utf-8")
    assert load_duplicates(dups) == {"a": {"a", "b"}, "b": {"a", "b"}}
    assert load_duplicates(None) == {}


def _judged(outcome: str, parts: list[tuple[str, bool, str]]) -> Any:
    """Stands in for a Judgement: what the evaluation reads of it."""
    decisions = tuple(SimpleNamespace(part=text, answer=ok, reason=why) for text, ok, why in parts)
    return SimpleNamespace(
        outcome=outcome,
        evidence=(),
        decision=SimpleNamespace(parts=decisions),
        to_json=lambda: {"outcome": outcome},
    )


class _ScriptedAnswerer:
    """Stands in for the Answerer to test the bookkeeping (the real one is tested below)."""

    def __init__(self, answers: dict[str, Answer]) -> None:
        from bot.settings import Settings

        self.answers = answers
        self.settings = Settings(_env_file=None)  # type: ignore[call-arg]
        self.decision_params = SimpleNamespace(threshold=0.5)

    def answer(self, question: str, **_: Any) -> Answer:
        return self.answers.get(question) or Answer(question, "x", "no_answer", prompt_id="p1")


def test_aggregates_and_report(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [
        {
            "question": "A?",
            "answerable": True,
            "must_mention": ["alpha", "beta"],
            "article_ids": ["x"],
            "type": "single",
        },
        {"question": "B?", "answerable": True, "must_mention": ["gamma"], "type": "multi"},
        {"question": "C?", "answerable": False, "must_mention": [], "type": "unanswerable"},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    a = Answer(
        "A?",
        "Alpha here. [1]",
        "answered",
        citations=(Citation(1, "x", "t"),),
        prompt_id="p1",
        generator="llm",
        timings_ms={"total": 10.0},
    )
    # B? (answerable) is let through by the decision for one of its two parts, and the LLM's
    # draft was dropped; C? (unanswerable) is abstained on with a reason.
    b = Answer(
        "B?",
        'Gamma. [1] The articles don\'t say: "delta?"',
        "answered",
        citations=(Citation(1, "y", "t"),),
        judgement=_judged("partial", [("gamma?", True, ""), ("delta?", False, "no date given")]),
        generator="extractive",
        fallback="too little of the llm draft survived the citation check (0 of 2 sentences)",
        timings_ms={"total": 12.0},
    )
    c = Answer(
        "C?",
        "no",
        "no_answer",
        judgement=_judged("no_answer", [("C?", False, "no passage names 'Zed'")]),
    )
    a = dataclasses.replace(a, judgement=_judged("answered", [("A?", True, "")]))
    out = tmp_path / "out" / "report.json"
    scripted = _ScriptedAnswerer({"A?": a, "B?": b, "C?": c})
    report = evaluate_answers(scripted, questions, None, out, generator="llm")  # type: ignore[arg-type]
    by_type = report["aggregates"]["by_type"]
    assert by_type["single"]["coverage"] == 0.5
    assert by_type["single"]["citation_support"] == 1.0
    assert by_type["multi"]["false_abstain_rate"] == 0.0
    assert by_type["multi"]["partial"] == 1
    assert by_type["unanswerable"]["abstain_rate"] == 1.0
    overall = report["aggregates"]["overall"]
    assert overall["answered"] == 2 and overall["answerable"] == 2
    # The decision let A? and B? through (both answerable) and stopped C?.
    assert overall["decision_precision"] == 1.0 and overall["decision_recall"] == 1.0
    assert overall["fallbacks"] == 1
    # A? was written by the configured generator, B? by the extractive fallback.
    assert overall["answered_by"] == {"extractive": 1, "llm": 1}
    assert overall["fallback_reasons"] == {
        "too little of the llm draft survived the citation check": 1
    }
    records = {r["question"]: r for r in report["records"]}
    assert records["C?"]["abstain_reasons"] == ["C?: no passage names 'Zed'"]
    assert records["B?"]["abstain_reasons"] == ["delta?: no date given"]
    assert report["prompt_id"] == "p1"
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["records"][0]["answer"]["text"] == "Alpha here. [1]"
    assert saved["settings"]["generator"] == "llm"
    assert saved["settings"]["llm_model"] == "openai:gpt-4o-mini"

    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    print_answer_report(report, Console(file=buffer, width=140))
    shown = buffer.getvalue()
    assert "single" in shown and "50.0%" in shown and "A?" in shown and "partial" in shown


def test_fallback_reasons_are_counted_by_kind_not_merged() -> None:
    from bot.eval.answers import _reason_kind

    # The particulars (how many sentences, how many seconds) go; what happened stays, so a
    # timeout and a server error are not counted as one "the llm generator failed".
    assert _reason_kind(
        "too little of the llm draft survived the citation check (0 of 3 sentences)"
    ) == _reason_kind("too little of the llm draft survived the citation check (1 of 1 sentence)")
    timeout = "the llm generator failed (The language model did not answer within 120 s)"
    slower = "the llm generator failed (The language model did not answer within 300 s)"
    down = (
        "the llm generator failed (The language model at http://127.0.0.1:8093/v1 failed "
        "with HTTP 500: boom)"
    )
    unreachable = (
        "the llm generator failed (Could not reach the language model at "
        "http://127.0.0.1:8093/v1: Connection error.)"
    )
    assert _reason_kind(unreachable) == (
        "the llm generator failed (Could not reach the language model at URL)"
    )
    assert _reason_kind(timeout) == _reason_kind(slower)
    assert _reason_kind(timeout) != _reason_kind(down)
    assert "did not answer within" in _reason_kind(timeout)


def _hit(article_id: str) -> Hit:
    return Hit(chunk_id=f"{article_id}:0", article_id=article_id, title="t", text="x", score=1.0)


def test_gold_rank_counts_distinct_articles_and_duplicates() -> None:
    from bot.eval.answers import gold_rank

    assert gold_rank(["a", "a", "b", "g"], {"g"}) == 3
    assert gold_rank(["a", "dup"], {"g", "dup"}) == 2
    assert gold_rank(["a", "b"], {"g"}) is None
    assert gold_rank([], {"g"}) is None


def test_evidence_order_ranks_articles_by_their_strongest_window() -> None:
    """Retrieval put b first; the evidence stage's strongest window is in g: re-ranked, g is
    first, and articles with no window follow in retrieval order."""
    from bot.eval.answers import evidence_order

    windows = tuple(SimpleNamespace(article_id=a) for a in ("g", "b", "g"))
    judgement = SimpleNamespace(evidence=(SimpleNamespace(windows=windows),))
    answer = SimpleNamespace(hits=(_hit("b"), _hit("c"), _hit("g")), judgement=judgement)
    assert evidence_order(answer) == ["g", "b", "c"]  # type: ignore[arg-type]
    unjudged = SimpleNamespace(hits=(_hit("b"), _hit("g")), judgement=None)
    assert evidence_order(unjudged) == ["b", "g"]  # type: ignore[arg-type]


def test_recall_after_evidence_reranking_is_aggregated(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [
        {"question": f"Q{i}?", "answerable": True, "must_mention": [], "article_ids": ["g"]}
        for i in range(2)
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    windows = (SimpleNamespace(article_id="g"),)
    judged = SimpleNamespace(
        evidence=(SimpleNamespace(windows=windows),),
        outcome="answered",
        decision=SimpleNamespace(parts=()),
        to_json=dict,
    )
    first = Answer("Q0?", "G. [1]", "answered", hits=(_hit("b"), _hit("g")), judgement=judged)  # type: ignore[arg-type]
    second = Answer("Q1?", "B. [1]", "answered", hits=(_hit("b"),), judgement=None)  # type: ignore[arg-type]
    scripted = _ScriptedAnswerer({"Q0?": first, "Q1?": second})
    report = evaluate_answers(scripted, questions, None, None)  # type: ignore[arg-type]
    single = report["aggregates"]["by_type"]["single"]
    assert single["retrieval_recall_at_1"] == 0.0
    assert single["evidence_recall_at_1"] == 0.5
    assert single["evidence_recall_at_5"] == 0.5
    records = {r["question"]: r for r in report["records"]}
    assert records["Q0?"]["retrieval_rank"] == 2 and records["Q0?"]["evidence_rank"] == 1
    assert records["Q1?"]["evidence_rank"] is None


def test_questions_listing_their_answered_parts_are_scored_part_by_part(tmp_path: Path) -> None:
    # An unanswerable compound question whose first part the corpus answers: right only when the
    # decision answers that part and abstains on the other.
    questions = tmp_path / "q.jsonl"
    rows = [
        {"question": q, "answerable": False, "type": "unanswerable", "answered_parts": [0]}
        for q in ("P?", "Q?", "R?")
    ]
    rows.append({"question": "S?", "answerable": False, "type": "unanswerable"})
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    right = _judged("partial", [("p1?", True, ""), ("p2?", False, "no fee given")])
    both = _judged("answered", [("q1?", True, ""), ("q2?", True, "")])
    wrong_way = _judged("partial", [("r1?", False, "x"), ("r2?", True, "")])
    answers = {
        "P?": Answer("P?", "p. [1]", "answered", judgement=right),
        "Q?": Answer("Q?", "q. [1]", "answered", judgement=both),
        "R?": Answer("R?", "r. [1]", "answered", judgement=wrong_way),
        "S?": Answer("S?", "no", "no_answer", judgement=_judged("no_answer", [("S?", False, "")])),
    }
    report = evaluate_answers(_ScriptedAnswerer(answers), questions, None, None)  # type: ignore[arg-type]
    records = {r["question"]: r["parts_right"] for r in report["records"]}
    assert records == {"P?": True, "Q?": False, "R?": False, "S?": None}
    overall = report["aggregates"]["overall"]
    assert (overall["partial_right"], overall["partial_expected"]) == (1, 3)


def test_a_question_listing_its_answered_parts_that_failed_counts_as_not_right(
    tmp_path: Path,
) -> None:
    # No decision was made (an error): the question still counts among those expected.
    questions = tmp_path / "q.jsonl"
    row = {"question": "T?", "answerable": False, "type": "unanswerable", "answered_parts": [0]}
    questions.write_text(json.dumps(row), encoding="utf-8")
    answers = {"T?": Answer("T?", "failed", "error")}
    report = evaluate_answers(_ScriptedAnswerer(answers), questions, None, None)  # type: ignore[arg-type]
    assert report["records"][0]["parts_right"] is False
    overall = report["aggregates"]["overall"]
    assert (overall["partial_right"], overall["partial_expected"]) == (0, 1)
