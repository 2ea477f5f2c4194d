"""How many of the true nearest chunks Chroma's HNSW index returns, by ``ef_search``.

    python bench/hnsw_recall.py --store data/eval-bbc [--questions training/questions_a.jsonl ...]
        [--ef 100 200 300 400 600] [--depth 40]

Dense retrieval asks the store for ``candidates`` (40) chunks per question. HNSW is approximate:
at Chroma's default ``ef_search`` (100) it can miss some of the true 40 nearest. This script
copies the store to a temporary folder (the store itself is never changed), and for each
``ef_search`` sets it on the copy, opens the copy in a fresh process (the index reads the value
when it loads) and measures, over the questions:

* recall@depth against exact cosine search over every stored vector; a chunk that ties the
  exact depth-th similarity (a duplicate article's identical chunk) counts as found;
* the questions with at least one true neighbour missing;
* mean query time.

Chooses ``RetrievalSettings.hnsw_ef_search``: the smallest value whose recall is at least
``TARGET`` on our training questions (``training/questions_*.jsonl``, never the evaluation sets).
Not 1.0: a graph of 16 neighbours per node (Chroma's default, fixed when the store is created)
left one true neighbour of one question out even at 1000 (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TIE = 1e-5
TARGET = 0.9995


def measure(chroma_dir: Path, collection: str, questions: list[str], ef: int, depth: int) -> dict:
    """One fresh process's measurement of the copy at ``ef`` (run by ``--child``)."""
    import time

    import chromadb
    import numpy as np

    from retrieval.embeddings import LocalEmbeddings

    client = chromadb.PersistentClient(path=str(chroma_dir))
    col = client.get_collection(collection)
    col.modify(configuration={"hnsw": {"ef_search": ef}})  # before the index is loaded
    vectors = np.asarray(LocalEmbeddings().encode(questions), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    got = [
        col.query(query_embeddings=[v.tolist()], n_results=depth, include=[])["ids"][0]
        for v in vectors
    ]
    ms = (time.perf_counter() - started) * 1000 / len(questions)
    stored = col.get(include=["embeddings"])
    ids = stored["ids"]
    emb = np.asarray(stored["embeddings"], dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    row = {cid: i for i, cid in enumerate(ids)}
    found = missed = 0
    questions_missing = 0
    for v, hits in zip(vectors, got, strict=True):
        sims = emb @ v
        floor = float(np.sort(sims)[::-1][depth - 1])
        ok = sum(1 for cid in hits if sims[row[cid]] >= floor - TIE)
        found += ok
        missed += depth - ok
        questions_missing += ok < depth
    return {
        "ef_search": ef,
        "recall": round(found / (found + missed), 5),
        "questions_with_a_miss": questions_missing,
        "questions": len(questions),
        "ms_per_query": round(ms, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--questions", type=Path, nargs="*")
    parser.add_argument("--ef", type=int, nargs="*", default=[100, 200, 300, 400, 600])
    parser.add_argument("--depth", type=int, default=40)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    files = args.questions or sorted((ROOT / "training").glob("questions_*.jsonl"))
    questions = [
        json.loads(line)["question"]
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if args.child:
        chroma_dir, ef = args.child.rsplit(":", 1)
        result = measure(Path(chroma_dir), args.collection, questions, int(ef), args.depth)
        print(json.dumps(result))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for ef in args.ef:
            # A fresh copy and a fresh process per value: the index takes ef_search when it is
            # loaded, and a copy keeps the measured store as it was.
            copy = Path(tmp) / f"chroma-{ef}"
            shutil.copytree(args.store / "chroma", copy)
            cmd = [sys.executable, __file__, "--child", f"{copy}:{ef}", "--depth", str(args.depth)]
            cmd += ["--collection", args.collection, "--questions", *map(str, files)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
            shutil.rmtree(copy)
    good = [r["ef_search"] for r in results if r["recall"] >= TARGET]
    print(json.dumps({"target_recall": TARGET, "smallest_ef_search": min(good, default=None)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
