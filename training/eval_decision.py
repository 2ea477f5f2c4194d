"""The decision alone on a question file (a TEST report: nothing here feeds back into fitting).

Retrieval as the core does it, then question analysis, evidence and the shipped decision
(``bot/answer/decision_params.json``); prints, per question type, how many questions were
answered, partly answered or not answered, and the same for the old rule (``bot.core``'s
``answerability`` score against ``MIN_RELEVANCE``, with its per-part fallback for compound
questions) on the same hits, for a before/after line.

    python training/eval_decision.py --corpus ../shared/eval/bbc/corpus.jsonl \\
        --questions ../shared/eval/bbc/questions_dev.jsonl \\
        --duplicates ../shared/eval/bbc/duplicates.json
    python training/eval_decision.py --corpus seeds --questions ../shared/eval/seed_questions.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "training"))
sys.path.insert(0, str(ROOT))

from fit_decision import (  # noqa: E402
    core_search,
    engine,
    knowledge_base,
    load_jsonl,
    split_parts,
)

from bot.answer.decision import DecisionParams, decide  # noqa: E402
from bot.answer.evidence import gather_evidence, prepare_passages  # noqa: E402
from bot.answer.question import analyse  # noqa: E402


def old_rule(answerer: Any, question: str, hits: list[Any]) -> tuple[bool, float]:
    """What bot.core did before the fitted decision: (abstains, score)."""
    from bot.generation import Source

    sources = [Source(i + 1, hit) for i, hit in enumerate(hits)]
    judged = answerer.answerability(question, sources)
    parts = split_parts(question)
    if parts and judged.score < answerer.min_relevance:
        from bot.generators.extractive import PART_SHORTLIST

        per_part = [answerer.answerability(p, sources, PART_SHORTLIST) for p in parts]
        weakest = min(per_part, key=lambda a: a.score)
        if weakest.score > judged.score:
            judged = weakest
    return judged.score < answerer.min_relevance, float(judged.score)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--duplicates", type=Path, default=None, help="unused by the decision")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="per-question records (JSON)")
    parser.add_argument("--no-old", action="store_true", help="skip the old rule")
    args = parser.parse_args(argv)

    store = args.store
    if store is None:
        key = hashlib.sha1(str(args.corpus.resolve()).encode()).hexdigest()[:10]
        store = (
            ROOT / "data/eval-bbc"
            if args.corpus.name == "corpus.jsonl" and args.corpus.parent.name == "bbc"
            else ROOT / f"data/eval-{args.corpus.stem}-{key}"
        )
    kb = knowledge_base(args.corpus, store)
    nlp, encode = engine()
    params = DecisionParams.load()
    answerer = None
    if not args.no_old:
        from bot.core import Answerer
        from bot.settings import Settings

        answerer = Answerer(kb, kb.embeddings, Settings())

    questions = load_jsonl(args.questions)
    # Warm-up (model loads, first-call costs), not timed.
    warm = analyse(questions[0]["question"], nlp)
    prepare_passages(core_search(kb, questions[0]["question"])[:1], nlp, encode)
    del warm

    records = []
    timings = []
    for record in questions:
        question = " ".join(record["question"].split())
        qtype = record.get("type") or (
            "single" if record.get("answerable", True) else "unanswerable"
        )
        hits = core_search(kb, question)
        started = time.perf_counter()
        analysis = analyse(question, nlp)
        passages = prepare_passages(hits, nlp, encode)
        evidence = [gather_evidence(p, passages, encode) for p in analysis.parts]
        decision = decide(evidence, params)
        timings.append(time.perf_counter() - started)
        old = old_rule(answerer, question, hits) if answerer is not None else None
        records.append(
            {
                "question": question,
                "type": qtype,
                "outcome": decision.outcome,
                "parts": [
                    {
                        "part": d.part,
                        "answer": d.answer,
                        "p": round(d.probability, 3),
                        "reason": d.reason,
                    }
                    for d in decision.parts
                ],
                "old_abstains": old[0] if old else None,
                "old_score": round(old[1], 3) if old else None,
            }
        )

    print(f"\n{args.questions} against {args.corpus}: {len(records)} questions")
    print(
        f"params: threshold {params.threshold:.3f}, fitted on "
        f"{params.meta.get('training_questions')} training questions"
    )
    counts: Counter[tuple[str, str]] = Counter((r["type"], r["outcome"]) for r in records)
    for t in sorted({r["type"] for r in records}):
        n = sum(1 for r in records if r["type"] == t)
        line = (
            f"  {t:13s} n={n:3d}: answered {counts[(t, 'answered')]}, "
            f"partial {counts[(t, 'partial')]}, no_answer {counts[(t, 'no_answer')]}"
        )
        if answerer is not None:
            old_abstain = sum(1 for r in records if r["type"] == t and r["old_abstains"])
            line += f"   | old rule: abstained {old_abstain}"
        print(line)
    un = [r for r in records if r["type"] == "unanswerable"]
    ans = [r for r in records if r["type"] != "unanswerable"]
    new_abs = sum(1 for r in un if r["outcome"] != "answered")
    new_strict = sum(1 for r in un if r["outcome"] == "no_answer")
    new_false = sum(1 for r in ans if r["outcome"] != "answered")
    new_false_strict = sum(1 for r in ans if r["outcome"] == "no_answer")
    print(
        f"NEW: unanswerable abstained {new_abs}/{len(un)} (no_answer {new_strict}/{len(un)}); "
        f"answerable not fully answered {new_false}/{len(ans)} "
        f"(no_answer {new_false_strict}/{len(ans)})"
    )
    if answerer is not None:
        old_abs = sum(1 for r in un if r["old_abstains"])
        old_false = sum(1 for r in ans if r["old_abstains"])
        print(
            f"OLD: unanswerable abstained {old_abs}/{len(un)}; "
            f"answerable abstained {old_false}/{len(ans)}"
        )
    ms = [t * 1000 for t in timings]
    print(
        f"evidence+decision per question (warm, analysis included, retrieval excluded): "
        f"median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms"
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
