"""One ingest's speed and peak RSS under a heap policy, in this process (run once per policy).

``python bench/ingest_heap.py --corpus CORPUS.jsonl --limit 300 --policy default|none|low-memory``

* ``default``: what an ingest does (``malloc_trim`` after each step);
* ``none``: neither the trim nor the fixed threshold (glibc as it comes);
* ``low-memory``: ``NEWSDESK_INGEST_LOW_MEMORY=true`` (the fixed mmap threshold as well).

Prints one line: backend (``NEWSDESK_EMBEDDING_BACKEND``), policy, chunks, seconds (model load
included), chunks/s, CPU seconds (less sensitive to other processes than the wall time), the
load average, and the peak RSS in MB. To compare backends, alternate them in one shell, e.g.
``for b in torch onnx torch onnx; do NEWSDESK_EMBEDDING_BACKEND=$b python bench/ingest_heap.py
--corpus CORPUS.jsonl --limit 300; done``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=300, help="first N articles")
    parser.add_argument("--policy", choices=("default", "none", "low-memory"), default="default")
    args = parser.parse_args()

    import retrieval.ingest as ingest
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase

    if args.policy == "none":
        ingest.release_free_memory = lambda: False  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        with args.corpus.open(encoding="utf-8") as src:
            corpus.write_text("".join(itertools.islice(src, args.limit)), encoding="utf-8")
        update = {
            "store_path": Path(tmp) / "store",
            "chroma_host": None,
            "ingest_low_memory": args.policy == "low-memory",
        }
        kb = KnowledgeBase(Settings().retrieval.model_copy(update=update))
        started = time.perf_counter()
        report = kb.ingest(corpus)
        seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    loadavg = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{kb.embeddings.backend} {args.policy} {report.total_chunks} chunks "
        f"{seconds:.1f} s {report.total_chunks / seconds:.1f} chunks/s cpu {cpu:.1f} s "
        f"load {loadavg} peak {usage.ru_maxrss / 1024:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
