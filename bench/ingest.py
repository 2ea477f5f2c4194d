"""Ingest and search benchmark: prints one table.

    python bench/ingest.py --corpus ../shared/eval/bbc/corpus.jsonl \
        --questions ../shared/eval/bbc/questions_dev.jsonl [--limit N] [--server]

Measures, in one process and one run:
- ingest throughput (chunks/s) of ``KnowledgeBase.ingest`` into a fresh store, against a raw
  ``SentenceTransformer.encode`` of the very same chunk texts (target: ingest >= 0.9x raw);
- re-ingest of the unchanged corpus, both in-process and as the ``newsdesk ingest`` command
  (target <= 3 s);
- hybrid search latency p50/p95 over the questions, warm (target p95 <= 30 ms);
- peak RSS of the process;
- with ``--server``: the same ingest into a ``chroma run`` server started on 127.0.0.1 for the
  run, against the embedded figure (target: server >= 0.8x embedded).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N articles.")
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--chunk-overlap", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    parser.add_argument(
        "--server", action="store_true", help="Also ingest into a local `chroma run` server."
    )
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    from bot.settings import load_settings
    from retrieval.chunking import embedding_text
    from retrieval.embeddings import LocalEmbeddings
    from retrieval.knowledge_base import KnowledgeBase
    from retrieval.loaders import load_articles

    overrides = {}
    if args.chunk_size:
        overrides["chunk_size"] = args.chunk_size
    if args.chunk_overlap is not None:
        overrides["chunk_overlap"] = args.chunk_overlap
    settings = load_settings(**overrides)
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    corpus = args.corpus
    if args.limit:
        corpus = workdir / "corpus.jsonl"
        with args.corpus.open(encoding="utf-8") as src, corpus.open("w", encoding="utf-8") as dst:
            for n, line in enumerate(src):
                if n >= args.limit:
                    break
                dst.write(line)

    config = settings.retrieval.model_copy(
        update={"store_path": workdir / "store", "chroma_host": None}
    )
    embeddings = LocalEmbeddings(
        config.embedding_model,
        batch_size=config.embedding_batch_size,
        device=config.embedding_device,
    )
    kb = KnowledgeBase(config, embeddings)

    # The chunk texts exactly as ingest will embed them.
    articles = load_articles(corpus).articles
    texts = [embedding_text(a.title, c.text) for a in articles for c in kb.chunker.split(a)]
    embeddings.encode(texts[:64])  # warm-up: model load and first-call costs out of both figures

    t0 = time.perf_counter()
    embeddings.model.encode(texts, batch_size=embeddings.batch_size, normalize_embeddings=True)
    raw_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = kb.ingest(corpus)
    ingest_s = time.perf_counter() - t0
    assert report.chunks_written == len(texts), (report.chunks_written, len(texts))

    t0 = time.perf_counter()
    again = KnowledgeBase(config).ingest(corpus)
    reingest_s = time.perf_counter() - t0
    assert again.chunks_written == 0

    env = dict(os.environ, NEWSDESK_STORE_PATH=str(config.store_path))
    env.pop("NEWSDESK_CHROMA_HOST", None)
    t0 = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "newsdesk"), "ingest", str(corpus), "-q"],
        check=True,
        env=env,
        capture_output=True,
    )
    reingest_cli_s = time.perf_counter() - t0

    questions = [
        json.loads(line)["question"]
        for line in args.questions.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for q in questions[:5]:  # warm
        kb.search(q)
    latencies = []
    for _ in range(3):
        for q in questions:
            t0 = time.perf_counter()
            kb.search(q)
            latencies.append((time.perf_counter() - t0) * 1000)

    if args.server:
        figures_server = server_ingest(config, embeddings, corpus, workdir, len(texts))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    raw_rate = len(texts) / raw_s
    ingest_rate = len(texts) / ingest_s
    figures = {
        "articles": len(articles),
        "chunks": len(texts),
        "chunk_size": config.chunk_size,
        "chunk_overlap": config.chunk_overlap,
        "raw_encode_chunks_per_s": round(raw_rate, 1),
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "ingest_vs_raw": round(ingest_rate / raw_rate, 3),
        "reingest_unchanged_s": round(reingest_s, 2),
        "reingest_unchanged_cli_s": round(reingest_cli_s, 2),
        "search_p50_ms": round(percentile(latencies, 0.5), 2),
        "search_p95_ms": round(percentile(latencies, 0.95), 2),
        "search_mean_ms": round(statistics.fmean(latencies), 2),
        "searches": len(latencies),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }
    if args.server:
        server_rate = figures_server["server_ingest_chunks_per_s"]
        figures.update(figures_server)
        figures["server_vs_embedded"] = round(server_rate / ingest_rate, 3)

    table = Table(title=f"Ingest and search: {args.corpus.name}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    targets = {
        "ingest_vs_raw": ">= 0.9",
        "reingest_unchanged_s": "<= 3",
        "reingest_unchanged_cli_s": "<= 3",
        "search_p95_ms": "<= 30",
        "server_vs_embedded": ">= 0.8",
    }
    for key, value in figures.items():
        table.add_row(key, str(value), targets.get(key, ""))
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


def server_ingest(
    config: Any, embeddings: Any, corpus: Path, workdir: Path, chunks: int
) -> dict[str, float]:
    """Ingest ``corpus`` into a fresh ``chroma run`` on a free 127.0.0.1 port; chunks/s."""
    import socket
    import urllib.request

    from retrieval.knowledge_base import KnowledgeBase

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    chroma = Path(sys.executable).parent / "chroma"
    command = [str(chroma), "run", "--path", str(workdir / "server"), "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        served = config.model_copy(
            update={
                "chroma_host": "127.0.0.1",
                "chroma_port": port,
                "store_path": workdir / "server-state",
            }
        )
        t0 = time.perf_counter()
        report = KnowledgeBase(served, embeddings).ingest(corpus)
        seconds = time.perf_counter() - t0
        assert report.chunks_written == chunks, (report.chunks_written, chunks)
        return {"server_ingest_chunks_per_s": round(chunks / seconds, 1)}
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
