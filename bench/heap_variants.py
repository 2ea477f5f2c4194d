"""Peak RSS of encoding the same BBC chunk texts under four heap policies (docs/performance.md).

    python bench/heap_variants.py default|trimstep|trim32|mmap [--texts 768]

One process per variant (run them one after another, or side by side: RSS is per process):
``default`` glibc as it is; ``trimstep`` ``malloc_trim(0)`` after each step of 256 texts;
``trim32`` after each batch of 32; ``mmap`` the mmap threshold fixed at 128 KiB
(``retrieval.memory.keep_large_blocks_out_of_the_heap``). Prints one JSON line: RSS after the
model loads, after each step, the peak, and the seconds spent encoding.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
CORPUS = ROOT.parent / "shared" / "eval" / "bbc" / "corpus.jsonl"


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["default", "trimstep", "trim32", "mmap"])
    parser.add_argument("--texts", type=int, default=768)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    libc = ctypes.CDLL("libc.so.6")
    if args.mode == "mmap":
        from retrieval.memory import keep_large_blocks_out_of_the_heap

        keep_large_blocks_out_of_the_heap()
    from retrieval.chunking import Chunker
    from retrieval.embeddings import LocalEmbeddings
    from retrieval.loaders import iter_articles

    texts: list[str] = []
    chunker = Chunker(800, 100)
    for article in iter_articles(args.corpus):
        texts += [f"{article.title}\n\n{c.text}" for c in chunker.split(article)]
        if len(texts) >= args.texts:
            break
    texts = texts[: args.texts]
    embeddings = LocalEmbeddings()
    embeddings.load()
    base, ends, t0 = rss_mb(), [], time.perf_counter()
    for start in range(0, len(texts), 256):
        step = texts[start : start + 256]
        if args.mode == "trim32":
            for b in range(0, len(step), 32):
                embeddings.encode(step[b : b + 32])
                libc.malloc_trim(0)
        else:
            embeddings.encode(step)
        if args.mode in ("trimstep", "trim32"):
            libc.malloc_trim(0)
        ends.append(round(rss_mb()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = round(time.perf_counter() - t0, 1)
    print(
        json.dumps(
            {
                "mode": args.mode,
                "base": round(base),
                "ends": ends,
                "peak": round(peak),
                "s": seconds,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
