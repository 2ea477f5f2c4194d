"""Answer the decision's training questions with a relevance reader that never saw them.

``newsdesk eval answers`` on our training questions reads every part with the shipped
cross-encoder, which ``fit_relevance.py`` trained on those very questions: whatever follows its
reading there is measured in-sample (session 55's candidate Q2 gained on the training questions
and lost on the fresh files). Here each question is read by the cross-fitted model that was not
trained on its fold (``fit_relevance.scorer``: ``data/fit/relevance-A.npz`` reads folds 3-4,
``-B`` folds 0-2, as ``fit_relevance.score`` does), so the relevance feature has the values
the decision was fitted on and the reader's order is out of sample. Everything else is
``newsdesk eval answers``: the same Answerer, store, scoring and report. Needs the A and B models
(``python training/fit_relevance.py train --models A B``).

    python training/crossfit_answers.py --out F.json [--type single multi] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import fit_decision as fd  # noqa: E402
import fit_relevance as fr  # noqa: E402


def training_questions(kinds: set[str], limit: int | None) -> list[tuple[str, dict[str, Any]]]:
    """``(question id, record)`` of the decision's training questions of the given types."""
    from bot.eval.data import question_type

    out = []
    for p in fd.DECISION_TRAINING:
        for n, record in enumerate(fd.load_jsonl(p)):
            if question_type(record) in kinds:
                out.append((f"{fd.question_file(p)}:{n}", record))
    return out[:limit] if limit else out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--type", nargs="+", default=["single", "multi"])
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)

    import bot.answer.relevance as relevance
    from bot.eval.answers import evaluate_answers
    from bot.settings import load_settings
    from bot.wiring import build_answerer, build_eval_knowledge_base, eval_store_path

    questions = training_questions(set(args.type), args.limit)
    readers = {
        name: relevance.CrossEncoder.load(fr.model_path(name), threads=2) for name in ("A", "B")
    }
    # A question's reader by its text (the eval answers by text): the model not trained on
    # its fold. A text asked in two files of different folds was trained on by both models;
    # such questions are counted and read by A.
    by_text: dict[str, str] = {}
    clashes = 0
    for qid, record in questions:
        name = fr.scorer(qid)
        if by_text.setdefault(record["question"], name) != name:
            clashes += 1
            by_text[record["question"]] = "A"
    current = {"reader": readers["A"]}

    def cross_fitted(threads: int = 0) -> relevance.CrossEncoder:
        return current["reader"]

    relevance.default_model = cross_fitted

    settings = load_settings()
    kb = build_eval_knowledge_base(
        settings, fd.BBC_CORPUS, eval_store_path(settings, fd.BBC_CORPUS)
    )
    kb.ingest(fd.BBC_CORPUS)
    answerer = build_answerer(settings, kb)
    answer = answerer.answer

    def answer_cross_fitted(question: str, *a: Any, **kw: Any) -> Any:
        current["reader"] = readers[by_text.get(question, "A")]
        return answer(question, *a, **kw)

    answerer.answer = answer_cross_fitted  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "questions.jsonl"
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for _, r in questions),
            encoding="utf-8",
        )
        report = evaluate_answers(answerer, path, fd.BBC_DUPLICATES, args.out)
    for kind, agg in report["aggregates"]["by_type"].items():
        total = (agg["coverage"] or 0.0) * agg["answerable"]
        print(
            f"{kind:12s} {agg['questions']:5d} questions  coverage sum {total:.2f}  "
            f"gold share {agg['citation_support']}",
        )
    print(f"overall gold share {report['aggregates']['overall']['citation_support']}")
    print(f"{clashes} question texts in folds of both models (read by A)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
