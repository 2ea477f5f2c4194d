"""Where an ingest's memory goes: RSS over time by ingest phase, and Python allocations by line.

    python bench/memory_trace.py --corpus ../shared/eval/bbc/corpus.jsonl --limit 1000 \
        [--questions ../shared/eval/bbc/questions_dev.jsonl] [--tracemalloc] [--json out.json]

One ingest into a fresh temporary store, in this process, as ``bench/compare.py --memory`` runs
it (the model loaded first). A thread samples RSS (``/proc/self/statm``) every ``--interval``
seconds, labelled with the phase running then: the catalog scan, the write steps (split into
embedding, Chroma upserts, deletes and the rest: chunking, loading), the end of the write, the
keyword index refresh. The phases are found by wrapping the functions that run them; nothing in
``retrieval`` changes for it. Printed: each phase's RSS at its start, end and peak; the write
steps' RSS growth per chunk written; what ``malloc_trim`` gives back after the ingest (free heap
the allocator held, not live data); what closing the Chroma client gives back (its in-process
vector index and caches). ``--tracemalloc`` also takes snapshots of Python's own allocations
(not torch's, Chroma's or numpy's native ones) at each phase's end and prints the lines holding
the most: slower (about 2x), and its figures are Python-allocated memory, not RSS.

``--questions`` picks the same first N articles as ``bench/compare.py --limit N`` (the ones the
dev questions ask about first); without it, the first N lines of the corpus. Nothing is fitted.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * PAGE_MB


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def trim() -> bool:
    """glibc's ``malloc_trim(0)``: hand the heap's free pages back to the system."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        return False
    return True


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


class Tracer:
    """The phase now running, RSS samples labelled with it, and optional tracemalloc snapshots."""

    def __init__(self, interval: float, snapshots: bool) -> None:
        self.interval = interval
        self.snapshots = snapshots
        self.stack: list[str] = ["start"]
        self.samples: list[tuple[float, str, float]] = []
        self.phases: dict[str, dict[str, float]] = {}
        self.taken: list[tuple[str, Any]] = []
        self.steps: list[tuple[int, float]] = []  # (chunks written so far, RSS) after each step
        self.trimmed: list[float] = []  # RSS after each step's malloc_trim
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.t0 = time.monotonic()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append((time.monotonic() - self.t0, self.stack[-1], rss_mb()))

    def __enter__(self) -> Tracer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.stack.append(name)
        start = rss_mb()
        record = self.phases.setdefault(
            name, {"calls": 0, "seconds": 0.0, "start_mb": start, "peak_mb": start, "end_mb": 0}
        )
        t0 = time.perf_counter()
        try:
            yield
        finally:
            end = rss_mb()
            record["calls"] += 1
            record["seconds"] += time.perf_counter() - t0
            record["end_mb"] = end
            record["peak_mb"] = max(record["peak_mb"], end)
            self.stack.pop()

    def snapshot(self, label: str) -> None:
        if self.snapshots:
            gc.collect()
            self.taken.append((label, tracemalloc.take_snapshot()))

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, attribute)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, wrapped)

    def per_phase_peaks(self) -> dict[str, float]:
        peaks: dict[str, float] = {}
        for _, name, mb in self.samples:
            peaks[name] = max(peaks.get(name, 0.0), mb)
        return peaks


def limited_corpus(corpus: Path, limit: int, questions: Path | None, folder: Path) -> Path:
    if not limit:
        return corpus
    if questions is not None:
        from compare import limited  # bench/compare.py: the same articles as its --memory

        return limited(corpus, limit, folder, questions)
    part = folder / f"corpus-{limit}.jsonl"
    with corpus.open(encoding="utf-8") as src, part.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n >= limit:
                break
            dst.write(line)
    return part


def top_lines(snapshot: Any, n: int, base: Any = None) -> list[dict[str, Any]]:
    """The ``n`` source lines holding the most Python-allocated memory (or gaining, vs base)."""
    keep = tracemalloc.Filter(False, tracemalloc.__file__)
    snapshot = snapshot.filter_traces([keep])
    if base is not None:
        stats = snapshot.compare_to(base.filter_traces([keep]), "lineno")
        rows = [
            {"where": str(s.traceback), "mb": s.size_diff / 2**20, "count": s.count_diff}
            for s in stats[:n]
        ]
    else:
        rows = [
            {"where": str(s.traceback), "mb": s.size / 2**20, "count": s.count}
            for s in snapshot.statistics("lineno")[:n]
        ]
    return [{**r, "mb": round(r["mb"], 2)} for r in rows]


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.tracemalloc:
        tracemalloc.start(1)
    from bot.settings import load_settings
    from retrieval import ingest as ingest_module
    from retrieval.keyword_index import PersistedKeywordIndex
    from retrieval.knowledge_base import KnowledgeBase

    folder = Path(tempfile.mkdtemp(prefix="newsdesk-memtrace-"))
    corpus = limited_corpus(args.corpus, args.limit, args.questions, folder)
    config = load_settings().retrieval.model_copy(
        update={"store_path": folder / "store", "chroma_host": None}
    )
    kb = KnowledgeBase(config)
    tracer = Tracer(args.interval, args.tracemalloc)
    figures: dict[str, Any] = {"corpus": str(corpus), "load_start": load()}
    with tracer:
        with tracer.phase("model load"):
            kb.embeddings.load()
        figures["rss_after_model_load_mb"] = round(rss_mb(), 1)
        tracer.snapshot("after model load")

        # The phases of an ingest, by the functions that run them.
        scan = ingest_module.scan

        def traced_scan(store: Any) -> Any:
            with tracer.phase("catalog scan"):
                known = scan(store)
            tracer.snapshot("after catalog scan")
            return known

        ingest_module.scan = traced_scan  # type: ignore[assignment]
        tracer.wrap(ingest_module._Run, "write", "write")
        tracer.wrap(ingest_module._Run, "finish", "finish")
        tracer.wrap(kb.embeddings, "encode_documents", "write: embed")
        tracer.wrap(kb.store, "upsert", "write: upsert")
        tracer.wrap(kb.store, "delete", "write: delete")
        tracer.wrap(PersistedKeywordIndex, "refresh", "keyword index")
        write_step = ingest_module._Run._write_step
        steps_seen = [0]

        def traced_step(self: Any, step: Any, planned: Any) -> None:
            write_step(self, step, planned)
            steps_seen[0] += 1
            tracer.steps.append((self.report.chunks_written, rss_mb()))
            print(f"step {steps_seen[0]}: {tracer.steps[-1]}", file=sys.stderr, flush=True)
            if steps_seen[0] % args.snapshot_every == 0:
                tracer.snapshot(f"after write step {steps_seen[0]}")

        ingest_module._Run._write_step = traced_step  # type: ignore[method-assign]
        release = ingest_module.release_free_memory

        def traced_release() -> bool:
            # The ingest trims after each step: RSS after the trim is what the step left live.
            done = release()
            tracer.trimmed.append(rss_mb())
            print(f"  after trim: {tracer.trimmed[-1]:.1f}", file=sys.stderr, flush=True)
            return done

        ingest_module.release_free_memory = traced_release  # type: ignore[assignment]
        original_refresh = PersistedKeywordIndex.refresh

        def refresh_then_snapshot(self: Any, *a: Any, **k: Any) -> None:
            tracer.snapshot("after the write (before the keyword index)")
            original_refresh(self, *a, **k)
            tracer.snapshot("after the keyword index")

        PersistedKeywordIndex.refresh = refresh_then_snapshot  # type: ignore[method-assign]

        report = kb.ingest(corpus)
        figures["rss_after_ingest_mb"] = round(rss_mb(), 1)
        figures["ingest_peak_rss_mb"] = round(peak_mb(), 1)
        figures["load_end"] = load()

        # What the allocator holds free (not live): glibc gives it back on malloc_trim.
        gc.collect()
        if trim():
            figures["rss_after_malloc_trim_mb"] = round(rss_mb(), 1)
        # What the Chroma client holds (its vector index, caches), by closing it.
        if kb.store._client is not None:
            kb.store._client.close()
            kb.store._client = kb.store._collection = None
            gc.collect()
            trim()
            figures["rss_after_closing_chroma_mb"] = round(rss_mb(), 1)

    figures.update(
        {
            "articles": report.articles_seen,
            "chunks": report.chunks_written,
            "seconds": round(report.seconds, 1),
            "phases": {
                name: {k: round(v, 1) for k, v in r.items()} for name, r in tracer.phases.items()
            },
            "sampled_peak_by_phase_mb": {
                k: round(v, 1) for k, v in tracer.per_phase_peaks().items()
            },
        }
    )
    steps = tracer.steps
    if len(steps) >= 4:
        # Growth per chunk over the write steps, leaving out the first quarter (the allocator's
        # and torch's first growth) so that the slope is what a longer corpus adds.
        (c0, r0), (c1, r1) = steps[len(steps) // 4], steps[-1]
        figures["write_growth_mb_per_1000_chunks"] = round((r1 - r0) / max(1, c1 - c0) * 1000, 1)
        figures["write_steps_rss_mb"] = [
            [c, round(r, 1)] for c, r in steps[:: max(1, len(steps) // 12)]
        ]
    if tracer.trimmed:
        figures["rss_after_each_trim_mb"] = [round(r, 1) for r in tracer.trimmed]
    if tracer.taken:
        base = tracer.taken[0][1]
        figures["tracemalloc"] = [
            {
                "label": label,
                "traced_mb": round(sum(s.size for s in snap.statistics("filename")) / 2**20, 1),
                "top": top_lines(snap, args.top),
                "growth_since_model_load": top_lines(snap, args.top, base) if i else [],
            }
            for i, (label, snap) in enumerate(tracer.taken)
        ]
    return figures


def show(figures: dict[str, Any]) -> None:
    print(f"{figures['articles']} articles, {figures['chunks']} chunks, {figures['seconds']} s")
    print(f"load average {figures['load_start']} -> {figures['load_end']}")
    for key in (
        "rss_after_model_load_mb",
        "rss_after_ingest_mb",
        "ingest_peak_rss_mb",
        "rss_after_malloc_trim_mb",
        "rss_after_closing_chroma_mb",
        "write_growth_mb_per_1000_chunks",
    ):
        if key in figures:
            print(f"  {key}: {figures[key]}")
    print("phase                  calls  seconds  start MB  end MB  peak MB (sampled)")
    peaks = figures["sampled_peak_by_phase_mb"]
    for name, r in figures["phases"].items():
        print(
            f"  {name:20} {int(r['calls']):5} {r['seconds']:8.1f} {r['start_mb']:9.1f} "
            f"{r['end_mb']:7.1f}  {peaks.get(name, r['peak_mb']):7.1f}"
        )
    if "rss_after_each_trim_mb" in figures:
        print("RSS after each step's trim, MB:", figures["rss_after_each_trim_mb"])
    if "write_steps_rss_mb" in figures:
        print("RSS after write steps (chunks, MB):", figures["write_steps_rss_mb"])
    for snap in figures.get("tracemalloc", []):
        print(f"\ntracemalloc {snap['label']}: {snap['traced_mb']} MB traced")
        for row in snap["growth_since_model_load"] or snap["top"]:
            print(f"  {row['mb']:8.2f} MB {row['count']:8} blocks  {row['where']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N articles.")
    parser.add_argument("--questions", type=Path, default=None, help="Order as compare.py does")
    parser.add_argument("--interval", type=float, default=0.1, help="RSS sampling, seconds")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--snapshot-every", type=int, default=10, help="write steps")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    figures = run(args)
    show(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
