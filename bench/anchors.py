"""How many retrieved sentences the evidence stage skips (``NEWSDESK_EVIDENCE_ANCHORED``).

    python bench/anchors.py [--questions training/questions_a.jsonl] [--limit 60]

Answers each question with the core (as ``bench/answers.py`` does, on the BBC store), and counts
per question the unique sentences of the retrieved passages (instructions left out) and those
that ``bot.answer.anchors`` keeps: the ones that name something the question names, and their
neighbours. Skipped sentences are neither parsed nor embedded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "../shared/eval/bbc/corpus.jsonl")
    parser.add_argument("--questions", type=Path, default=ROOT / "training/questions_a.jsonl")
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--limit", type=int, default=60)
    args = parser.parse_args()

    from bot.answer.anchors import anchored, question_anchors, with_neighbours
    from bot.answer.evidence import NEIGHBOURS
    from bot.core import Answerer
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": args.store, "chroma_host": None})
    kb = KnowledgeBase(config)
    kb.ingest(args.corpus)
    answerer = Answerer(kb, kb.embeddings, settings)
    seen: list[tuple[Any, Any]] = []
    judge = answerer.judge

    def recording(analysis: Any, hits: Any) -> Any:
        seen.append((analysis, list(hits)))
        return judge(analysis, hits)

    answerer.judge = recording  # type: ignore[method-assign]
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.limit]
    totals: list[int] = []
    kept_counts: list[int] = []
    for question in questions:
        seen.clear()
        answerer.answer(question)
        if not seen:
            continue
        analysis, hits = seen[-1]
        anchors = question_anchors(analysis)
        every: set[str] = set()
        kept: set[str] = set()
        for hit in hits:
            texts = [
                hit.text[s:e]
                for s, e, instruction in answerer.passages.sentences(hit)
                if not instruction
            ]
            near = with_neighbours(anchored(texts, anchors), NEIGHBOURS)
            every.update(texts)
            kept.update(t for t, keep in zip(texts, near, strict=True) if keep)
        totals.append(len(every))
        kept_counts.append(len(kept))
    share = 1 - sum(kept_counts) / sum(totals)
    print(
        f"{len(totals)} questions: {sum(totals)} unique sentences, {sum(kept_counts)} kept, "
        f"{share:.1%} skipped; per question p50 {statistics.median(totals):.0f} -> "
        f"{statistics.median(kept_counts):.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
