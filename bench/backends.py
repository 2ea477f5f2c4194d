"""Embedding backends on our own chunks: speed, closeness to torch, dense recall. One table.

    python bench/backends.py --corpus ../shared/eval/bbc/corpus.jsonl \
        --questions ../shared/eval/bbc/questions_dev.jsonl \
        [--duplicates ../shared/eval/bbc/duplicates.json] [--limit N] [--speed-chunks 1000] \
        [--backends torch,torch-bf16,onnx,onnx-int8,openvino] [--json PATH]

For each backend (NEWSDESK_EMBEDDING_BACKEND), in this one process:
- chunks/s encoding the first ``--speed-chunks`` chunks of the corpus, as ingest encodes them
  (calls of ``ingest_batch`` texts, each sorted by length inside the call), after a warm-up; and
  the same chunks in ONE call (a sort window over all of them) to show what a wider length-sort
  window would buy;
- the cosine of each chunk's vector to torch's (min and mean);
- dense recall@1/@5 (article level, as ``newsdesk eval retrieval`` counts it) of the dev
  questions over every chunk of the corpus (``--limit``: the first N articles, and only the
  questions whose articles are among them). Only the dense retriever depends on the backend.

The dev questions are a test set: this measures, it fits nothing. The load average is printed
beside each speed: on a shared machine the figures are only comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

# "torch" is torch in float32 (the reference the cosines are taken to when it runs first);
# "torch-bf16" is torch with NEWSDESK_EMBEDDING_PRECISION=bfloat16.
ALL = ("torch", "torch-bf16", "onnx", "onnx-int8", "openvino")


def load_chunks(
    corpus: Path, limit: int, chunk_size: int, overlap: int, questions: Path
) -> tuple[list[str], list[str]]:
    """(texts as ingest embeds them, article id of each); ``limit``: as bench/compare.py picks
    them (the articles the dev questions ask about first)."""
    from bench.compare import limited
    from retrieval.chunking import Chunker, embedding_text
    from retrieval.loaders import load_articles

    corpus = limited(corpus, limit, Path(tempfile.mkdtemp(prefix="newsdesk-backends-")), questions)
    chunker = Chunker(chunk_size, overlap)
    texts, owners = [], []
    for article in load_articles(corpus).articles:
        for chunk in chunker.split(article):
            texts.append(embedding_text(article.title, chunk.text))
            owners.append(article.id)
    return texts, owners


def dense_recall(
    vectors: np.ndarray,
    owners: list[str],
    questions: list[dict[str, Any]],
    query: np.ndarray,
    groups: dict[str, set[str]],
) -> dict[str, float]:
    from bot.eval.retrieval import found_rank, gold_slots

    ranks = []
    for q, qv in zip(questions, query, strict=True):
        order = np.argsort(-(vectors @ qv), kind="stable")[:60]
        ranking: list[str] = []
        for i in order:
            if owners[i] not in ranking:
                ranking.append(owners[i])
        ranks.append(found_rank(ranking[:10], gold_slots(q["article_ids"], groups), q["type"]))
    n = len(ranks) or 1
    return {
        "recall@1": round(sum(1 for r in ranks if r is not None and r <= 1) / n, 3),
        "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 3),
        "questions": len(ranks),
    }


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--duplicates", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N articles.")
    parser.add_argument("--speed-chunks", type=int, default=1000)
    parser.add_argument("--backends", default=",".join(ALL))
    parser.add_argument("--cache", type=Path, default=None, help="Exported models (default: temp)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    from bot.eval.data import load_duplicates, load_questions, question_type
    from bot.settings import load_settings
    from retrieval.embeddings import LocalEmbeddings

    config = load_settings().retrieval
    texts, owners = load_chunks(
        args.corpus, args.limit, config.chunk_size, config.chunk_overlap, args.questions
    )
    present = set(owners)
    questions = [
        {**q, "type": question_type(q)}
        for q in load_questions(args.questions)
        if q.get("article_ids") and all(a in present for a in q["article_ids"])
    ]
    groups = load_duplicates(args.duplicates)
    speed_texts = texts[: args.speed_chunks]
    cache = args.cache or Path(tempfile.mkdtemp(prefix="newsdesk-models-"))
    step = config.ingest_batch

    rows: dict[str, dict[str, Any]] = {}
    reference: np.ndarray | None = None
    for label in args.backends.split(","):
        backend = label.removesuffix("-bf16")
        emb = LocalEmbeddings(
            config.embedding_model,
            batch_size=config.embedding_batch_size,
            threads=config.torch_threads,
            backend=backend,
            cache=cache,
            precision="bfloat16" if label.endswith("-bf16") else "float32",
        )
        t0 = time.perf_counter()
        emb.load()
        load_s = time.perf_counter() - t0
        # encode_documents: what ingest calls (the backend, never the light query encoder).
        emb.encode_documents(speed_texts[:64])  # warm-up: first-call costs out of the figures
        t0 = time.perf_counter()
        for start in range(0, len(speed_texts), step):
            emb.encode_documents(speed_texts[start : start + step])
        stepped = len(speed_texts) / (time.perf_counter() - t0)
        stepped_load = load()
        t0 = time.perf_counter()
        emb.encode_documents(speed_texts)
        whole = len(speed_texts) / (time.perf_counter() - t0)
        vectors = emb.encode_documents(texts)
        query = emb.encode([q["question"] for q in questions])
        if reference is None:
            reference = vectors
        cos = (vectors * reference).sum(axis=1)
        rows[label] = {
            "load_s": round(load_s, 2),
            "chunks_per_s": round(stepped, 1),
            "chunks_per_s_one_window": round(whole, 1),
            "load_avg": stepped_load,
            "cos_to_first_min": round(float(cos.min()), 5),
            "cos_to_first_mean": round(float(cos.mean()), 5),
            **dense_recall(vectors, owners, questions, query, groups),
        }
        print(label, rows[label], flush=True)

    table = Table(
        title=f"Embedding backends: {len(speed_texts)} chunks timed, {len(texts)} for recall"
    )
    columns = list(next(iter(rows.values())))
    table.add_column("backend")
    for c in columns:
        table.add_column(c, justify="right")
    for backend, row in rows.items():
        table.add_row(backend, *(str(row[c]) for c in columns))
    Console(width=200).print(table)
    first = next(iter(rows))
    base = rows[first]
    eligible = [
        b
        for b, r in rows.items()
        if abs(r["recall@1"] - base["recall@1"]) <= 0.01
        and abs(r["recall@5"] - base["recall@5"]) <= 0.01
    ]
    fastest = max(eligible, key=lambda b: rows[b]["chunks_per_s"])
    print(f"fastest within 0.01 recall of {first}: {fastest}")
    if args.json:
        args.json.write_text(
            json.dumps({"chunks": len(texts), "backends": rows, "fastest": fastest}, indent=2),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
