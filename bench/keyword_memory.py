"""RSS of a keyword index rebuild over a built store, by the page size the store is read in.

    python bench/keyword_memory.py --store data/eval-bbc [--page 500]

Copy the store first if it is shared (the rebuild writes its cache under ``<store>/state``). No
model is loaded: this is the rebuild alone, as an ingest ends with it. A thread samples RSS
(``/proc/self/statm``) every 10 ms; printed: chunks, RSS before, the sampled peak, RSS after,
seconds, load average. ``--page`` overrides how many chunks one read of the store returns
(``retrieval.stores.chroma._READ_PAGE``).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * PAGE_MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--page", type=int, default=0, help="chunks a read returns (0: as set)")
    args = parser.parse_args()

    import retrieval.stores.chroma as chroma
    from bot.settings import load_settings
    from retrieval.knowledge_base import KnowledgeBase

    if args.page:
        chroma._READ_PAGE = args.page
    config = load_settings().retrieval.model_copy(
        update={"store_path": args.store, "chroma_host": None}
    )
    kb = KnowledgeBase(config)
    kb.store.open()
    chunks = kb.store.count()
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.01):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    before = rss_mb()
    sampler.start()
    started = time.perf_counter()
    kb.keywords.rebuild()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{chunks} chunks, page {chroma._READ_PAGE}: RSS before {before:.0f} MB, peak "
        f"{peak[0]:.0f} MB (+{peak[0] - before:.0f}), after {rss_mb():.0f} MB, {seconds:.1f} s, "
        f"load {load}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
