"""Retrieval evaluation: article-level recall@1/5/10 and MRR@10, per question type and mode.

The questions file is JSON Lines with ``question``, ``type`` (single / multi / unanswerable) and
``article_ids``. For ``single`` any listed article is a hit; for ``multi`` every listed article
must be found (recall@k = all found in the top k; the reciprocal rank is taken where the last one
appears). Articles listed together in a duplicates file stand for each other.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.table import Table

from bot.eval.data import load_duplicates, load_questions, percentile, question_type
from retrieval.types import Hit

MODES = ("dense", "keyword", "hybrid")
CUTOFFS = (1, 5, 10)
# Enough chunks to fill ten distinct articles even when one article has several strong chunks.
_SEARCH_DEPTH = 60


class Searcher(Protocol):
    config: Any

    def search(
        self, query: str, k: int | None = None, mode: Any = "hybrid", candidates: int | None = None
    ) -> list[Hit]: ...


def ranked_articles(hits: Sequence[Hit]) -> list[str]:
    seen: list[str] = []
    for hit in hits:
        if hit.article_id not in seen:
            seen.append(hit.article_id)
    return seen


def gold_slots(article_ids: Sequence[str], groups: dict[str, set[str]]) -> list[set[str]]:
    return [groups.get(a, {a}) for a in article_ids]


def found_rank(ranking: Sequence[str], slots: list[set[str]], kind: str) -> int | None:
    """1-based rank at which the question counts as answered by retrieval, or None."""
    ranks = []
    for slot in slots:
        rank = next((i for i, a in enumerate(ranking, start=1) if a in slot), None)
        ranks.append(rank)
    if not ranks:
        return None
    if kind == "multi":
        return None if any(r is None for r in ranks) else max(r for r in ranks if r is not None)
    present = [r for r in ranks if r is not None]
    return min(present) if present else None


def evaluate_retrieval(
    kb: Searcher, questions_path: Path, duplicates_path: Path | None = None
) -> dict[str, Any]:
    questions = load_questions(questions_path)
    for q in questions:
        q["type"] = question_type(q)
    groups = load_duplicates(duplicates_path)
    records: list[dict[str, Any]] = []
    aggregate: dict[str, dict[str, dict[str, float]]] = {m: {} for m in MODES}
    latencies: dict[str, list[float]] = {m: [] for m in MODES}

    for q in questions:
        record: dict[str, Any] = {
            "question": q["question"],
            "type": q["type"],
            "gold": q.get("article_ids", []),
        }
        slots = gold_slots(q.get("article_ids", []), groups)
        for mode in MODES:
            t0 = time.perf_counter()
            hits = kb.search(q["question"], k=_SEARCH_DEPTH, mode=mode, candidates=_SEARCH_DEPTH)
            latencies[mode].append((time.perf_counter() - t0) * 1000)
            ranking = ranked_articles(hits)
            rank = found_rank(ranking[:10], slots, q["type"]) if slots else None
            record[mode] = {
                "ranked_article_ids": ranking[:10],
                "rank": rank,
                "top_dense_score": max((h.dense_score or -1.0) for h in hits) if hits else None,
            }
        records.append(record)

    types = sorted({r["type"] for r in records if r["gold"]})
    for mode in MODES:
        for kind in types:
            subset = [r for r in records if r["type"] == kind and r["gold"]]
            ranks = [r[mode]["rank"] for r in subset]
            stats = {
                f"recall@{c}": _share(ranks, lambda x, c=c: x is not None and x <= c)
                for c in CUTOFFS
            }
            stats["mrr@10"] = sum(1.0 / r for r in ranks if r is not None) / len(ranks)
            stats["n"] = len(ranks)
            aggregate[mode][kind] = stats
    config = kb.config
    return {
        "questions": str(questions_path),
        "duplicates": str(duplicates_path) if duplicates_path else None,
        "settings": {
            "embedding_model": config.embedding_model,
            "chunk_size": config.chunk_size,
            "chunk_overlap": config.chunk_overlap,
            "candidates": _SEARCH_DEPTH,
            "rrf_k": config.rrf_k,
        },
        "aggregate": aggregate,
        "latency_ms": {m: _percentiles(v) for m, v in latencies.items()},
        "records": records,
    }


def _share(values: Sequence[Any], pred: Any) -> float:
    return sum(1 for v in values if pred(v)) / len(values) if values else 0.0


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 0.5), 2), "p95": round(percentile(values, 0.95), 2)}


def print_retrieval_report(report: dict[str, Any], console: Console) -> None:
    table = Table(title="Retrieval (article level)")
    table.add_column("mode")
    table.add_column("type")
    table.add_column("n", justify="right")
    for c in CUTOFFS:
        table.add_column(f"R@{c}", justify="right")
    table.add_column("MRR@10", justify="right")
    for mode in MODES:
        for kind, stats in report["aggregate"][mode].items():
            table.add_row(
                mode,
                kind,
                str(int(stats["n"])),
                *(f"{stats[f'recall@{c}']:.2f}" for c in CUTOFFS),
                f"{stats['mrr@10']:.3f}",
            )
    console.print(table)
    lat = report["latency_ms"]
    console.print(
        "search latency ms (p50/p95, depth 60): "
        + ", ".join(f"{m} {lat[m].get('p50')}/{lat[m].get('p95')}" for m in MODES)
    )
