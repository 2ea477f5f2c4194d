"""Answer evaluation: run the real answering core over a question set and score what it says.

Metrics (per question type and overall):

* **coverage**: share of a question's ``must_mention`` phrases found in the answer text
  (case-insensitive, typographic quotes and dashes folded, citation markers ignored); an answer
  that abstains or fails covers nothing;
* **answered**: share of answerable questions answered; **false abstain**: share of answerable
  questions not answered;
* **abstained**: share of unanswerable questions answered with the no-answer message;
* **citation support**: share of cited sentences whose cited articles include a gold article or a
  duplicate of one (questions with gold ``article_ids`` only);
* **latency**: p50 / p95 of the answer's total time, measured warm (one untimed question first);
* **the decision** (``bot.answer.decision``, before any generator): its outcome per question
  (``answered``, ``partial``, ``no_answer``), and over questions its **precision** (share of the
  questions it let through that are answerable) and **recall** (share of the answerable questions
  it let through); each abstained part with its **reason** (what had no evidence); for questions
  whose gold lists the parts the corpus answers (``answered_parts``), how many the decision
  answered exactly those parts of and abstained on the rest (**partial right**);
* **recall after evidence re-ranking** (answerable questions with gold ``article_ids``): the
  share whose first article is a gold one (or a duplicate) when the articles are ordered by
  their strongest evidence window (:func:`evidence_order`), and within the first five; beside
  it the same @1 in retrieval's order;
* **fallbacks**: answers the configured generator did not write, with the reason, counted; and
  **answered by**: the answers shown, counted by the generator that wrote them.

Questions without a ``type`` (the seed questions) count as ``single`` when answerable and
``unanswerable`` otherwise. The JSON report holds the aggregates, the answer prompt's id, the
settings used, and one record per question with the full ``Answer.to_json()``.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.citations import parse_draft
from bot.eval.data import TYPE_ORDER, load_duplicates, load_questions, percentile, question_type
from retrieval.text import normalise

if TYPE_CHECKING:
    from rich.console import Console

    from bot.core import Answerer
    from bot.types import Answer


def _fold(text: str) -> str:
    text = re.sub(r"\[[\d,\s]+\]", " ", text)
    return " ".join(normalise(text).lower().split())


def mention_coverage(text: str, phrases: Sequence[str]) -> tuple[float, list[str], list[str]]:
    folded = _fold(text)
    found = [p for p in phrases if _fold(p) in folded]
    missing = [p for p in phrases if p not in found]
    return (len(found) / len(phrases) if phrases else 1.0), found, missing


def citation_support(
    answer: Answer, gold: Iterable[str], duplicates: Mapping[str, set[str]]
) -> tuple[int, int]:
    """(cited sentences citing a gold article or a duplicate of one, cited sentences)."""
    accepted: set[str] = set()
    for article_id in gold:
        accepted |= duplicates.get(article_id, {article_id})
    article_of = {c.number: c.article_id for c in answer.citations}
    supported = cited = 0
    for sentence in parse_draft(answer.text):
        if not sentence.keys:
            continue
        cited += 1
        if any(article_of.get(k) in accepted for k in sentence.keys):
            supported += 1
    return supported, cited


def _aggregate(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    supported = sum(r["supported_sentences"] for r in records if r["article_ids"])
    cited = sum(r["cited_sentences"] for r in records if r["article_ids"])
    latencies = [r["latency_ms"] for r in records]
    out: dict[str, Any] = {
        "questions": len(records),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answered": sum(1 for r in answerable if r["status"] == "answered"),
        "coverage": (
            round(statistics.fmean(r["coverage"] for r in answerable), 4) if answerable else None
        ),
        "false_abstain_rate": (
            round(sum(1 for r in answerable if r["status"] != "answered") / len(answerable), 4)
            if answerable
            else None
        ),
        "abstained": sum(1 for r in unanswerable if r["status"] == "no_answer"),
        "abstain_rate": (
            round(sum(1 for r in unanswerable if r["status"] == "no_answer") / len(unanswerable), 4)
            if unanswerable
            else None
        ),
        "cited_sentences": cited,
        "citation_support": round(supported / cited, 4) if cited else None,
        "errors": sum(1 for r in records if r["status"] == "error"),
        "partial": sum(1 for r in records if r.get("decision") == "partial"),
        # Questions whose gold lists the parts the corpus answers (``answered_parts``): how many
        # the decision answered exactly those parts of, abstaining on the others.
        "partial_expected": sum(1 for r in records if r.get("parts_right") is not None),
        "partial_right": sum(1 for r in records if r.get("parts_right")),
        **_decision_figures(records),
        "retrieval_recall_at_1": _recall(records, "retrieval_rank", 1),
        "evidence_recall_at_1": _recall(records, "evidence_rank", 1),
        "evidence_recall_at_5": _recall(records, "evidence_rank", 5),
        # Who wrote the answers shown: the configured generator, or the extractive fallback.
        "answered_by": dict(
            sorted(Counter(r["generator"] for r in records if r["status"] == "answered").items())
        ),
        "fallbacks": sum(1 for r in records if r.get("fallback")),
        "fallback_reasons": dict(
            Counter(_reason_kind(r["fallback"]) for r in records if r.get("fallback"))
        ),
        "latency_p50_ms": round(percentile(latencies, 0.5), 1),
        "latency_p95_ms": round(percentile(latencies, 0.95), 1),
    }
    return out


def gold_rank(articles: Sequence[str], accepted: set[str]) -> int | None:
    """1-based rank of the first accepted article among the distinct ``articles``, in order."""
    seen: list[str] = []
    for article_id in articles:
        if article_id in seen:
            continue
        seen.append(article_id)
        if article_id in accepted:
            return len(seen)
    return None


def evidence_order(answer: Answer) -> list[str]:
    """The answer's retrieved articles re-ranked by the evidence stage: by their strongest window
    for the question's first part (windows come best first), then those with no window, in
    retrieval order. Retrieval's order when the decision did not run."""
    evidence = answer.judgement.evidence if answer.judgement is not None else ()
    order: list[str] = []
    for article_id in [
        *(w.article_id for w in (evidence[0].windows if evidence else ())),
        *(h.article_id for h in answer.hits),
    ]:
        if article_id not in order:
            order.append(article_id)
    return order


def _recall(records: Sequence[Mapping[str, Any]], key: str, at: int) -> float | None:
    ranked = [r for r in records if r["answerable"] and r["article_ids"]]
    if not ranked:
        return None
    return round(sum(1 for r in ranked if r[key] is not None and r[key] <= at) / len(ranked), 4)


def _decision_figures(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Precision and recall of the decision's "answer" (answered or partial) over questions."""
    judged = [r for r in records if r.get("decision") is not None]
    let_through = [r for r in judged if r["decision"] != "no_answer"]
    answerable = [r for r in judged if r["answerable"]]
    hits = sum(1 for r in let_through if r["answerable"])
    return {
        "decision_precision": round(hits / len(let_through), 4) if let_through else None,
        "decision_recall": round(hits / len(answerable), 4) if answerable else None,
    }


def _reason_kind(reason: str) -> str:
    """A fallback reason without its particulars, for counting ("too little of the llm draft
    survived the citation check (0 of 3 sentences)" -> "... check"). A generator's failure keeps
    what happened, without addresses, numbers or the detail after a colon ("the llm generator
    failed (The language model did not answer within N s)"), so a timeout and a server error
    are counted apart."""
    reason = re.sub(r"\s*\(\d+ of \d+ sentences?\)", "", reason)
    reason = re.sub(r"\b[a-z][a-z0-9+.-]*://\S+?(?=:?\s|\)|$)", "URL", reason)
    reason = re.sub(r": [^()]*", "", reason)
    return re.sub(r"\d+(?:\.\d+)?", "N", reason).strip()


def evaluate_answers(
    answerer: Answerer,
    questions_path: Path,
    duplicates_path: Path | None = None,
    out: Path | None = None,
    *,
    generator: str | None = None,
    k: int | None = None,
    warm_up: bool = True,
) -> dict[str, Any]:
    """Answer every question of ``questions_path`` and score the answers (see module doc)."""
    questions = load_questions(Path(questions_path))
    duplicates = load_duplicates(Path(duplicates_path) if duplicates_path else None)
    if warm_up:
        # Loads the embedding model and fills caches, so latencies are those of a warm bot.
        answerer.answer(questions[0]["question"], generator=generator, k=k)

    records: list[dict[str, Any]] = []
    prompt_ids: set[str] = set()
    for q in questions:
        answer = answerer.answer(q["question"], generator=generator, k=k)
        if answer.prompt_id:
            prompt_ids.add(answer.prompt_id)
        answerable = bool(q.get("answerable", True))
        phrases = [str(p) for p in q.get("must_mention") or []]
        gold = [str(a) for a in q.get("article_ids") or []]
        if answer.status == "answered":
            coverage, found, missing = mention_coverage(answer.text, phrases)
        else:
            coverage, found, missing = 0.0, [], list(phrases)
        supported, cited = citation_support(answer, gold, duplicates) if gold else (0, 0)
        accepted = _accepted(gold, duplicates)
        records.append(
            {
                "question": q["question"],
                "type": question_type(q),
                "answerable": answerable,
                "article_ids": gold,
                "must_mention": phrases,
                "status": answer.status,
                "generator": answer.generator,
                "coverage": round(coverage, 4) if answerable else None,
                "found": found,
                "missing": missing,
                "cited_articles": sorted({c.article_id for c in answer.citations}),
                "gold_retrieved": bool(gold and {h.article_id for h in answer.hits} & accepted),
                "retrieval_rank": gold_rank([h.article_id for h in answer.hits], accepted),
                "evidence_rank": gold_rank(evidence_order(answer), accepted),
                "supported_sentences": supported,
                "cited_sentences": cited,
                "latency_ms": round(answer.timings_ms.get("total", 0.0), 2),
                "decision": answer.judgement.outcome if answer.judgement is not None else None,
                "abstain_reasons": [
                    f"{d.part}: {d.reason}"
                    for d in (answer.judgement.decision.parts if answer.judgement else ())
                    if not d.answer
                ],
                "fallback": answer.fallback,
                "parts_right": _parts_right(q.get("answered_parts"), answer),
                "answer": answer.to_json(),
            }
        )

    by_type: dict[str, Any] = {}
    kinds = [t for t in TYPE_ORDER if any(r["type"] == t for r in records)]
    kinds += sorted({r["type"] for r in records} - set(kinds))
    for kind in kinds:
        by_type[kind] = _aggregate([r for r in records if r["type"] == kind])
    settings = answerer.settings
    report: dict[str, Any] = {
        "questions_file": str(questions_path),
        "duplicates_file": str(duplicates_path) if duplicates_path else None,
        "prompt_id": ",".join(sorted(prompt_ids)),
        "generator": generator or settings.answer.generator,
        "settings": {
            "generator": generator or settings.answer.generator,
            "prompt": settings.answer.prompt,
            "k": k or settings.retrieval.k,
            "decision_threshold": answerer.decision_params.threshold,
            "answer_max_words": settings.answer.answer_max_words,
            "answer_max_words_apart": settings.answer.answer_max_words_apart,
            "embedding_model": settings.retrieval.embedding_model,
            "chunk_size": settings.retrieval.chunk_size,
            "chunk_overlap": settings.retrieval.chunk_overlap,
            "candidates": settings.retrieval.candidates,
            "llm_model": settings.llm.llm_model
            if (generator or settings.answer.generator) != "extractive"
            else None,
        },
        "aggregates": {"overall": _aggregate(records), "by_type": by_type},
        "records": records,
    }
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def _parts_right(expected: Any, answer: Answer) -> bool | None:
    """For a question whose gold lists the parts the corpus answers (``answered_parts``, part
    indices in question order): whether the decision answered exactly those and abstained on
    the rest (not when no decision was made: an error). None for other questions."""
    if not isinstance(expected, list):
        return None
    if answer.judgement is None:
        return False
    parts = answer.judgement.decision.parts
    return [i for i, d in enumerate(parts) if d.answer] == sorted(expected)


def _accepted(gold: Iterable[str], duplicates: Mapping[str, set[str]]) -> set[str]:
    accepted: set[str] = set()
    for article_id in gold:
        accepted |= duplicates.get(article_id, {article_id})
    return accepted


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    if pct:
        return f"{100 * value:.1f}%"
    return str(value)


def print_answer_report(report: Mapping[str, Any], console: Console | None = None) -> None:
    """The aggregates as a table, then the questions that missed (for prompt/threshold work)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        show_edge=False,
        title=f"Answers: {report['questions_file']} (generator {report['generator']}, "
        f"prompt {report['prompt_id'] or '-'})",
    )
    columns = (
        ("type", "left"),
        ("n", "right"),
        ("answered", "right"),
        ("coverage", "right"),
        ("false\nabstain", "right"),
        ("abstain", "right"),
        ("partial\n(right)", "right"),
        ("decision\nprec/rec", "right"),
        ("fall-\nbacks", "right"),
        ("citation\nsupport", "right"),
        ("gold @1\nret/evid", "right"),
        ("p50\nms", "right"),
        ("p95\nms", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    rows = [*report["aggregates"]["by_type"].items(), ("overall", report["aggregates"]["overall"])]
    for kind, agg in rows:
        table.add_row(
            kind,
            str(agg["questions"]),
            f"{agg['answered']}/{agg['answerable']}" if agg["answerable"] else "-",
            _fmt(agg["coverage"], pct=True),
            _fmt(agg["false_abstain_rate"], pct=True),
            f"{agg['abstained']}/{agg['unanswerable']}" if agg["unanswerable"] else "-",
            str(agg["partial"])
            + (
                f" ({agg['partial_right']}/{agg['partial_expected']})"
                if agg.get("partial_expected")
                else ""
            ),
            f"{_fmt(agg['decision_precision'])}/{_fmt(agg['decision_recall'])}",
            str(agg["fallbacks"]),
            _fmt(agg["citation_support"], pct=True),
            f"{_fmt(agg['retrieval_recall_at_1'])}/{_fmt(agg['evidence_recall_at_1'])}",
            f"{agg['latency_p50_ms']:.0f}",
            f"{agg['latency_p95_ms']:.0f}",
            style="bold" if kind == "overall" else None,
        )
    console.print(table)
    misses = [
        r
        for r in report["records"]
        if (r["answerable"] and (r["status"] != "answered" or (r["coverage"] or 0) < 1.0))
        or (not r["answerable"] and r["status"] != "no_answer")
    ]
    if misses:
        detail = Table(title="Misses", show_lines=False)
        detail.add_column("type")
        detail.add_column("status")
        detail.add_column("coverage", justify="right")
        detail.add_column("question")
        detail.add_column("missing")
        detail.add_column("why not answered")
        for r in misses:
            detail.add_row(
                r["type"],
                r["status"],
                _fmt(r["coverage"], pct=True),
                r["question"],
                ", ".join(r["missing"]),
                "; ".join(r.get("abstain_reasons") or []) or r.get("fallback") or "",
            )
        console.print(detail)
