"""The relevance reader's cost: its load, a part's windows read, and its memory.

    python bench/relevance_reader.py [--rounds 30] [--pairs 3] [--words 60] [--threads 1]
    python bench/relevance_reader.py --memory

The reader (``bot.answer.relevance.CrossEncoder``) reads each part with its strongest windows.
Here each pair is a question with a window of the seed article (three sentences, cut to
``--words`` words, after the article's title: about 100 word pieces with the defaults, the
training parts' median), ``--pairs`` per call as the judge makes them. Prints the load time
(median of 3 loads) and the median and 95th percentile of a call over ``--rounds`` calls. The
machine's load average is printed too: on shared cores the times move with it. ``--threads``:
the reader's threads (0, the default, as the engine picks them with ``NEWSDESK_TORCH_THREADS=0``).

``--memory`` measures instead what the reader adds to a process: its
resident set (``VmRSS``) and its peak (``VmHWM``) after one call, each less the same figure
taken once the libraries it uses are imported. Run it alone: a process measures itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = "What did Johnson say about Russia?"


def windows(pairs: int, words: int) -> list[str]:
    from bot.answer.relevance import pair_text
    from retrieval.text import sentence_spans

    article = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    title, _, body = article.partition("\n")
    sentences = [body[s.start : s.end] for s in sentence_spans(body)]
    out = []
    for i in range(pairs):
        window = " ".join(sentences[3 * i : 3 * i + 3]).split()[:words]
        out.append(pair_text(title.strip("# "), " ".join(window)))
    return out


def status_mb(field: str) -> float:
    """A ``/proc/self/status`` figure (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} in /proc/self/status (Linux only)")


def memory(pairs: int, words: int) -> None:
    import onnx  # noqa: F401  (imported first: the libraries are not the reader's cost)
    import onnxruntime  # noqa: F401
    import tokenizers  # noqa: F401

    from bot.answer.relevance import CrossEncoder

    texts = windows(pairs, words)
    rss, peak = status_mb("VmRSS"), status_mb("VmHWM")
    CrossEncoder.load().logits(QUESTION, texts)
    print(
        f"the reader adds {status_mb('VmRSS') - rss:.0f} MB resident, "
        f"{status_mb('VmHWM') - peak:.0f} MB to the peak"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--words", type=int, default=60)
    parser.add_argument("--memory", action="store_true", help="what the reader adds to a process")
    parser.add_argument(
        "--threads", type=int, default=0, help="reader threads (0: as NEWSDESK_TORCH_THREADS=0)"
    )
    args = parser.parse_args()
    if args.memory:
        memory(args.pairs, args.words)
        return 0

    from bot.answer.relevance import CrossEncoder

    texts = windows(args.pairs, args.words)
    loads = []
    for _ in range(3):
        started = time.perf_counter()
        model = CrossEncoder.load(threads=args.threads)
        loads.append(time.perf_counter() - started)
    lengths = [len(e.ids) for e in model.tokenizer.encode_batch([(QUESTION, t) for t in texts])]
    threads = model.session.get_session_options().intra_op_num_threads
    print(
        f"load average before: {os.getloadavg()}; word pieces per pair: {lengths}; "
        f"threads: {threads}"
    )
    model.logits(QUESTION, texts)  # untimed warm-up
    times = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        model.logits(QUESTION, texts)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"load {statistics.median(loads):.2f} s; a call of {len(texts)} pairs: "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms; "
        f"load average after: {os.getloadavg()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
