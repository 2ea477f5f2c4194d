"""Whether fresh processes get the same dense candidates from one embedded Chroma store, before
and after ``ChromaStore.persist_index`` (which every ingest now ends with).

    python bench/store_determinism.py --store data/eval-bbc [--questions F ...] [--processes 3]

An embedded Chroma saves its HNSW index every ``sync_threshold`` (1,000) writes and keeps the
writes since in its log; each process that opens the store replays that log into its own copy
of the index, in an order of its own. This script copies the store to a temporary folder (the
store itself is never changed), gives the copy such a log the way a re-ingest of some articles
does (500 stored chunks rewritten unchanged, 50 of them deleted first), then opens it in
``--processes`` fresh processes, each asking for the ``--depth`` (40) nearest chunks of every
question (``training/questions_*.jsonl`` by default). It reports how many questions got a
different list in some process; then runs ``persist_index`` on the copy and measures again.
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

REWRITTEN = 500
DELETED_FIRST = 50


def candidates(chroma_dir: Path, collection: str, questions: list[str], depth: int) -> list:
    """One fresh process's nearest chunks for each question (run by ``--child``)."""
    import chromadb
    import numpy as np

    from retrieval.embeddings import LocalEmbeddings

    client = chromadb.PersistentClient(path=str(chroma_dir))
    col = client.get_collection(collection)
    vectors = np.asarray(LocalEmbeddings().encode(questions), dtype=np.float32)
    return [
        col.query(query_embeddings=[v.tolist()], n_results=depth, include=[])["ids"][0]
        for v in vectors
    ]


def add_a_log(chroma_dir: Path, collection: str) -> None:
    """Writes a re-ingest of some articles would make, left in Chroma's log."""
    import chromadb

    col = chromadb.PersistentClient(path=str(chroma_dir)).get_collection(collection)
    got = col.get(limit=REWRITTEN, include=["embeddings", "documents", "metadatas"])
    col.delete(ids=got["ids"][:DELETED_FIRST])
    col.upsert(
        ids=got["ids"],
        embeddings=got["embeddings"],
        documents=got["documents"],
        metadatas=got["metadatas"],
    )


def differing(runs: list[list[list[str]]]) -> int:
    """Questions whose candidate list is not the same in every process."""
    return sum(1 for lists in zip(*runs, strict=True) if any(x != lists[0] for x in lists))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--questions", type=Path, nargs="*")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--depth", type=int, default=40)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    # Each step in a process of its own: chromadb allows one client per folder per process.
    parser.add_argument("--step", choices=["log", "persist"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    from bot.eval.data import load_questions

    files = args.questions or sorted((ROOT / "training").glob("questions_*.jsonl"))
    questions = [q["question"] for path in files for q in load_questions(path)]
    if args.child and args.step == "log":
        add_a_log(args.child, args.collection)
        return 0
    if args.child and args.step == "persist":
        from retrieval.settings import RetrievalSettings
        from retrieval.stores.chroma import ChromaStore

        config = RetrievalSettings(store_path=args.child.parent, collection=args.collection)
        ChromaStore(config).persist_index()
        return 0
    if args.child:
        print(json.dumps(candidates(args.child, args.collection, questions, args.depth)))
        return 0

    def step(name: str, chroma_dir: Path) -> None:
        cmd = [sys.executable, __file__, "--child", str(chroma_dir), "--step", name]
        subprocess.run([*cmd, "--collection", args.collection], check=True, capture_output=True)

    def measure(chroma_dir: Path) -> int:
        runs = []
        for _ in range(args.processes):
            cmd = [sys.executable, __file__, "--child", str(chroma_dir), "--depth", str(args.depth)]
            cmd += ["--collection", args.collection, "--questions", *map(str, files)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        return differing(runs)

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        shutil.copytree(args.store / "chroma", store / "chroma")
        step("log", store / "chroma")
        before = measure(store / "chroma")
        print(json.dumps({"with_a_log": before, "questions": len(questions)}), flush=True)
        step("persist", store / "chroma")
        after = measure(store / "chroma")
        print(json.dumps({"after_persist_index": after, "questions": len(questions)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
