"""Warm answer latency on the BBC corpus: p50 / p95 of ``Answerer.answer``, total and per stage.

    python bench/answers.py --corpus ../shared/eval/bbc/corpus.jsonl \
        --questions training/questions_a.jsonl [--limit 100] [--store data/eval-bbc] [--out F]

The store is built on the first run (as ``make fit`` and ``newsdesk eval`` do) and reused. One
untimed question first loads the model, spaCy and the store ("warm"); then every question is
answered once with the offline default (the extractive generator) and timed by the core's own
stage timers. The parse store (``NEWSDESK_PARSE_STORE``, bot/answer/parse_store.py) is used as
configured, and the report says how many parses it held at the start: run ``newsdesk prepare
--store STORE`` first for answers with the store filled, or set
``NEWSDESK_PARSE_STORE_ENABLED=false`` for answers that parse everything they read.
Targets (issue 8): p50 <= 300 ms, p95 <= 600 ms. Our own training questions are used by
default, so the dev set stays a test set; any question file of the same shape works.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "../shared/eval/bbc/corpus.jsonl")
    parser.add_argument("--questions", type=Path, default=ROOT / "training/questions_a.jsonl")
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from bot.core import Answerer
    from bot.eval.data import percentile
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": args.store, "chroma_host": None})
    kb = KnowledgeBase(config)
    report = kb.ingest(args.corpus)
    print(f"store {args.store}: {report.total_chunks} chunks", file=sys.stderr)
    answerer = Answerer(kb, kb.embeddings, settings)
    from bot.answer.cache import parse_store_folder
    from bot.answer.nlp import load_nlp
    from bot.answer.parse_store import ParseStore

    folder = parse_store_folder(settings)
    parses = ParseStore(folder, load_nlp()) if folder is not None else None
    parse_store = None if parses is None else {"path": str(parses.path), "parses": len(parses)}
    print(f"parse store: {parse_store or 'off'}", file=sys.stderr)
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.limit]

    started = time.perf_counter()
    answerer.answer(questions[0])
    warm_up_s = time.perf_counter() - started

    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    for question in questions:
        answer = answerer.answer(question)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        totals.append(answer.timings_ms["total"])
        for stage, ms in answer.timings_ms.items():
            if stage != "total":
                stages.setdefault(stage, []).append(ms)

    result = {
        "questions": len(questions),
        "questions_file": str(args.questions),
        "first_answer_s": round(warm_up_s, 2),
        "p50_ms": round(percentile(totals, 0.5), 1),
        "p95_ms": round(percentile(totals, 0.95), 1),
        "mean_ms": round(statistics.fmean(totals), 1),
        "stages_p50_ms": {s: round(percentile(v, 0.5), 1) for s, v in stages.items()},
        "stages_p95_ms": {s: round(percentile(v, 0.95), 1) for s, v in stages.items()},
        "statuses": statuses,
        "parse_store_at_start": parse_store,
        "cpus": len(os.sched_getaffinity(0)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"{'':<18}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'answer (total)':<18}{result['p50_ms']:>10.1f}{result['p95_ms']:>10.1f}")
    for stage in stages:
        p50, p95 = result["stages_p50_ms"][stage], result["stages_p95_ms"][stage]
        print(f"  {stage:<16}{p50:>10.1f}{p95:>10.1f}")
    print(f"first answer (cold caches, model loaded): {warm_up_s:.2f} s; statuses {statuses}")
    print(f"load average while measuring: {result['load_average']} (quiet machine: < 0.5)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
