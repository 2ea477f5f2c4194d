"""The evidence stage's sentences embedded by the light encoder and by the backend (torch).

    python bench/evidence_encode.py [--questions training/questions_a.jsonl] [--limit 20]
        [--rounds 2] [--store data/eval-bbc] [--batch-sizes 1 4 8 16 32]

For each question: hybrid search (k as configured), the unique non-instruction sentences of the
hits (as ``prepare_passages`` takes them), then those sentences embedded by both encoders,
interleaved in one process so the machine's load falls on both alike. Prints p50 / p95 ms of
each. Our own training questions by default, so the dev set stays a test set.

``--batch-sizes``: the light encoder alone instead, on one thread, at each batch size
(interleaved): CPU ms per question (p50, mean) and whether every vector equals, bit for bit, the
one made in batches of 32 (``retrieval.embeddings.LIGHT_BATCH_SIZE``).
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--questions", type=Path, default=ROOT / "training/questions_a.jsonl")
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=None)
    args = parser.parse_args()

    from bot.answer.cache import PassageCache
    from bot.eval.data import percentile
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": args.store, "chroma_host": None})
    kb = KnowledgeBase(config)
    embeddings = kb.embeddings
    light = embeddings.light
    if light is None:
        print("no light encoder here (no export, or another backend)", file=sys.stderr)
        return 1
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.limit]
    batches: list[list[str]] = []
    for question in questions:
        cache = PassageCache()
        found = {
            hit.text[s:e]
            for hit in kb.search(question, k=settings.retrieval.k)
            for s, e, instruction in cache.sentences(hit)
            if not instruction
        }
        batches.append(sorted(found))
    if args.batch_sizes:
        return batch_sizes(light, batches, args.batch_sizes, args.rounds)
    size = settings.retrieval.embedding_batch_size or 32
    encoders = {
        "light (ONNX Runtime)": lambda texts: light.encode(texts, size),
        "backend (torch)": embeddings.encode_documents,
    }
    for encode in encoders.values():  # warm-up: load the model, first-call costs
        encode(batches[0])
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(args.rounds):
        for texts in batches:
            for name, encode in encoders.items():
                started = time.perf_counter()
                encode(texts)
                times[name].append((time.perf_counter() - started) * 1000)
    print(f"sentences per question p50 {statistics.median(len(b) for b in batches):.0f}")
    for name, values in times.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(f"{name:<22} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  (n={len(values)})")
    print(f"threads {embeddings.threads}; load average {os.getloadavg()}")
    return 0


def batch_sizes(light: Any, batches: list[list[str]], sizes: list[int], rounds: int) -> int:
    """CPU time of the light encoder (one worker) per question at each batch size."""
    import numpy as np

    light.workers = 1  # CPU time of the work itself, not of how threads share it
    reference = [light.encode(texts, 32) for texts in batches]
    cpu: dict[int, list[float]] = {size: [] for size in sizes}
    same = dict.fromkeys(sizes, True)
    for _ in range(rounds):
        for size in sizes:
            for texts, expected in zip(batches, reference, strict=True):
                started = time.process_time()
                vectors = light.encode(texts, size)
                cpu[size].append((time.process_time() - started) * 1000)
                same[size] = same[size] and bool(np.array_equal(vectors, expected))
    print(f"sentences per question p50 {statistics.median(len(b) for b in batches):.0f}")
    for size, values in cpu.items():
        print(
            f"batch {size:>4}: CPU p50 {statistics.median(values):7.1f} ms, "
            f"mean {statistics.fmean(values):7.1f} ms; bit for bit as batch 32: {same[size]}"
        )
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
