"""Warm answers with the light encoder's batches of one size against another, in one process.

    python bench/light_batch_ab.py [--questions training/questions_a.jsonl] [--limit 60] \
        [--store data/eval-bbc] [--sizes 32 8]

A shared machine's load moves between two runs of ``bench/answers.py`` more than the change
does, so here both sides answer in one process, each with an ``Answerer`` of its own (its own
parse and vector caches, kept between questions as in service), the same questions, in turn
(which side goes first swaps every question). Only the batch size the evidence stage's
sentences are embedded in differs (``retrieval.embeddings.LIGHT_BATCH_SIZE``); the vectors are
the same bit for bit. Prints total and decide p50 / p95 ms per side, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class Sized:
    """The embeddings, with ``encode``'s batch size fixed (everything else passed through)."""

    def __init__(self, inner: Any, size: int) -> None:
        self.inner, self.size = inner, size

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        return np.asarray(self.inner.encode(texts, batch_size or self.size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "training/questions_a.jsonl")
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--sizes", type=int, nargs=2, default=[32, 8])
    args = parser.parse_args()

    from bot.core import Answerer
    from bot.eval.data import percentile
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": args.store, "chroma_host": None})
    kb = KnowledgeBase(config)
    sides = {
        f"batch {size}": Answerer(kb, Sized(kb.embeddings, size), settings) for size in args.sizes
    }
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.limit]
    for answerer in sides.values():
        answerer.answer(questions[0])  # warm-up, untimed
    names = list(sides)
    times: dict[str, dict[str, list[float]]] = {n: {"total": [], "decide": []} for n in names}
    start_load = os.getloadavg()
    for i, question in enumerate(questions):
        for name in names if i % 2 == 0 else names[::-1]:
            timings = sides[name].answer(question).timings_ms
            times[name]["total"].append(timings["total"])
            times[name]["decide"].append(timings.get("decide", 0.0))
    for name in names:
        cells = [
            f"{stage} p50 {percentile(v, 0.5):.0f} / p95 {percentile(v, 0.95):.0f} ms"
            for stage, v in times[name].items()
        ]
        print(f"{name:>9}: " + "; ".join(cells))
    print(f"load average at the start {start_load}, at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
