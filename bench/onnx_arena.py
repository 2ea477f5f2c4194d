"""Peak RSS of encoding BBC chunk texts with the exported ONNX model under ONNX Runtime's memory
options, one process per variant (docs/performance.md, "Memory"; RSS is per process, so they
may run side by side).

    python bench/onnx_arena.py default|shrink|shrink-nopattern|noarena-nopattern [--texts 512]

``default`` the session as ONNX Runtime makes it (its CPU arena keeps what it allocated);
``shrink`` the arena shrunk after each run (``memory.enable_memory_arena_shrinkage``, what an
ingest does now); ``nopattern`` without memory patterns; ``noarena`` without the arena (each
tensor from malloc: combine with ``GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304`` to keep
the large ones out of glibc's heap). Texts are chunked as an ingest chunks them (1,000 / 200),
encoded in steps of 256 in batches of 32 with ``malloc_trim`` after each step. Prints one JSON
line: RSS after the model loads, after each step, the peak (MB), and seconds encoding.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "eval" / "bbc" / "corpus.jsonl"


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "mode", choices=["default", "shrink", "shrink-nopattern", "noarena-nopattern"]
    )
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()

    import numpy as np
    import onnxruntime

    import retrieval.backends as backends
    from retrieval.chunking import Chunker
    from retrieval.embeddings import resolve_model_path
    from retrieval.loaders import iter_articles
    from retrieval.settings import DEFAULT_EMBEDDING_MODEL, default_model_cache

    def session(path: Path, backend: str, threads: int) -> Any:
        options = onnxruntime.SessionOptions()
        if threads > 0:
            options.intra_op_num_threads = threads
        options.enable_cpu_mem_arena = "noarena" not in args.mode
        options.enable_mem_pattern = "nopattern" not in args.mode
        run = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        shrink = onnxruntime.RunOptions()
        shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        use = shrink if "shrink" in args.mode else None

        def one(ids: Any, mask: Any, types: Any, release: bool) -> Any:
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            return np.asarray(run.run(None, feed, use)[0])

        return one

    backends._session = session  # type: ignore[assignment]
    texts: list[str] = []
    chunker = Chunker(1000, 200)
    for article in iter_articles(args.corpus):
        texts += [f"{article.title}\n\n{c.text}" for c in chunker.split(article)]
        if len(texts) >= args.texts:
            break
    texts = texts[: args.texts]
    model = resolve_model_path(DEFAULT_EMBEDDING_MODEL)
    encoder = backends.ExportedEncoder(model, default_model_cache(), "onnx")
    libc = ctypes.CDLL("libc.so.6")
    base, ends, t0 = rss_mb(), [], time.perf_counter()
    for start in range(0, len(texts), 256):
        encoder.encode(texts[start : start + 256], 32)
        libc.malloc_trim(0)
        ends.append(round(rss_mb()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds = round(time.perf_counter() - t0, 1)
    report = {"mode": args.mode, "base": round(base), "ends": ends, "peak": round(peak)}
    print(json.dumps({**report, "s": seconds}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
