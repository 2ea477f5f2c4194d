"""Write the hits of many searches to JSON, to show a change to search leaves them as they were.

    python bench/search_hits.py --store data/eval-bbc --out before.json   # on the old code
    python bench/search_hits.py --store data/eval-bbc --out after.json    # on the new code
    python bench/search_hits.py --compare before.json after.json

Every third of our own training questions (``training/questions_{a,b}.jsonl``, 110), in each
mode, at k=10, k=6 and k=30 with 30 candidates (as ``newsdesk eval retrieval`` asks): each hit's
id, scores, article, title, a hash of its text and its place. Nothing is written to the store.

Two runs of the same code used to differ in a few dense searches: Chroma's HNSW index returns
chunks of equal similarity (duplicate articles) in no fixed order (the 2026-12-02 baseline: 4 of
990 searches; 2 of 990 at ef_search 400). Ties are now settled by id in the store
(``retrieval.stores.chroma._settle``): 0 of 990 on 2026-12-04. ``--compare`` lists every
difference; judge them against a second run of the old code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEARCHES = ((10, None), (6, None), (30, 30))


def record(store: Path, collection: str) -> dict[str, list[list[object]]]:
    from retrieval.knowledge_base import KnowledgeBase
    from retrieval.settings import RetrievalSettings

    kb = KnowledgeBase(
        RetrievalSettings(store_path=store, collection=collection, store_check_seconds=3600)
    )
    kb.warm()
    questions: list[str] = []
    for name in ("questions_a.jsonl", "questions_b.jsonl"):
        lines = (ROOT / "training" / name).read_text(encoding="utf-8").splitlines()
        questions += [json.loads(line)["question"] for line in lines if line.strip()]
    out: dict[str, list[list[object]]] = {}
    for q in questions[::3]:
        for mode in ("dense", "keyword", "hybrid"):
            for k, candidates in SEARCHES:
                hits = kb.search(q, k=k, mode=mode, candidates=candidates)  # type: ignore[arg-type]
                out[f"{mode}|{k}|{candidates}|{q}"] = [
                    [
                        h.chunk_id,
                        round(h.score, 6),
                        None if h.dense_score is None else round(h.dense_score, 5),
                        h.keyword_score,
                        h.article_id,
                        h.title,
                        hashlib.sha1(h.text.encode()).hexdigest()[:10],
                        h.index,
                        h.start,
                        h.end,
                    ]
                    for h in hits
                ]
    return out


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text(encoding="utf-8"))
    b = json.loads(after.read_text(encoding="utf-8"))
    differ = [key for key in a if a[key] != b.get(key)]
    for key in differ:
        same_ids = [h[0] for h in a[key]] == [h[0] for h in b.get(key, [])]
        print(("scores differ  " if same_ids else "hits differ    ") + key[:100])
    print(f"{len(differ)} of {len(a)} searches differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not (args.store and args.out):
        parser.error("--store and --out, or --compare BEFORE AFTER")
    hits = record(args.store, args.collection)
    args.out.write_text(json.dumps(hits), encoding="utf-8")
    print(f"{len(hits)} searches written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
