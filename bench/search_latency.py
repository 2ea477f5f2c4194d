"""Warm search latency per mode, hybrid with its retrievers side by side and one after the other,
and dense with the query embedded on one thread (the default) and on all ``--threads``.

    python bench/search_latency.py --store data/eval-bbc [--questions training/questions_a.jsonl]
        [--limit 100] [--rounds 3] [--threads 0] [--query-encoder auto|backend] [--json out.json]

One process, one warm knowledge base over an existing store (nothing is ingested or written);
each question is searched in every mode in turn, in rounds, so a change in the machine's load
falls on all modes alike. Every query is embedded afresh (the query cache is emptied before each
search): the figures are those of a new question. The questions are the project's own training
questions (``training/``), never an evaluation set. Prints p50/p95 per mode and the load average
at the start and the end (the figures mean little on a busy machine).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--questions", type=Path, default=ROOT / "training" / "questions_a.jsonl")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--query-encoder",
        choices=["auto", "backend"],
        default="auto",
        help="NEWSDESK_QUERY_ENCODER: the light ONNX Runtime encoder (auto) or the backend",
    )
    parser.add_argument("-k", type=int, default=6)
    parser.add_argument("--threads", type=int, default=0, help="NEWSDESK_TORCH_THREADS")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from bot.eval.data import percentile
    from retrieval.knowledge_base import KnowledgeBase
    from retrieval.search.fusion import FusionRetriever
    from retrieval.settings import RetrievalSettings

    config = RetrievalSettings(
        store_path=args.store,
        collection=args.collection,
        torch_threads=args.threads,
        query_encoder=args.query_encoder,
        # Never ask the store whether it moved during the run: only searching is measured.
        store_check_seconds=3600,
    )
    kb = KnowledgeBase(config)
    load_start = os.getloadavg()
    kb.warm()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.limit]
    pipeline = kb.searcher
    retrievers = [pipeline.retrievers[name] for name in ("dense", "keyword")]
    sequential = FusionRetriever(retrievers, pipeline.rrf_k)  # as before: one after the other
    side_by_side = pipeline.retriever("hybrid")

    def hybrid_sequential(query: str) -> Any:
        pipeline._built["hybrid"] = sequential
        try:
            return kb.search(query, k=args.k, mode="hybrid")
        finally:
            pipeline._built["hybrid"] = side_by_side

    one_thread = kb.embeddings._one_thread

    def dense_all_threads(query: str) -> Any:
        kb.embeddings._one_thread = contextlib.nullcontext  # type: ignore[method-assign]
        try:
            return kb.search(query, k=args.k, mode="dense")
        finally:
            kb.embeddings._one_thread = one_thread  # type: ignore[method-assign]

    runs = {
        "dense": lambda q: kb.search(q, k=args.k, mode="dense"),
        "dense, query on all threads": dense_all_threads,
        "keyword": lambda q: kb.search(q, k=args.k, mode="keyword"),
        "hybrid": lambda q: kb.search(q, k=args.k, mode="hybrid"),
        "hybrid, one after the other": hybrid_sequential,
    }
    for query in questions[:5]:  # first-call costs of each path, not measured
        for run in runs.values():
            run(query)
    latencies: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for query in questions:
            for name, run in runs.items():
                kb.embeddings.forget_queries()
                started = time.perf_counter()
                run(query)
                latencies[name].append((time.perf_counter() - started) * 1000)
    load_end = os.getloadavg()
    report = {
        "store": str(args.store),
        "chunks": kb.count(),
        "questions": len(questions),
        "rounds": args.rounds,
        "k": args.k,
        "embedding_threads": kb.embeddings.threads,
        "query_encoder": "light" if kb.embeddings.light else kb.embeddings.backend,
        "cores_available": len(os.sched_getaffinity(0)),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in load_end],
        "modes": {
            name: {
                "p50_ms": round(percentile(values, 0.5), 2),
                "p95_ms": round(percentile(values, 0.95), 2),
                "mean_ms": round(statistics.fmean(values), 2),
            }
            for name, values in latencies.items()
        },
    }
    print(
        f"{report['chunks']} chunks, {len(questions)} questions x {args.rounds} rounds, "
        f"k={args.k}, {report['embedding_threads']} embedding thread(s) of "
        f"{report['cores_available']} core(s); load average {load_start[0]:.2f} -> "
        f"{load_end[0]:.2f}"
    )
    for name, figures in report["modes"].items():
        print(f"  {name:28s} p50 {figures['p50_ms']:8.2f} ms   p95 {figures['p95_ms']:8.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
