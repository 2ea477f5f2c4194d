"""End-to-end answer latency through a running ``newsdesk serve``, and what HTTP adds to it.

    python bench/serve_latency.py --store data/eval-bbc \
        [--questions training/questions_a.jsonl] [--limit 50] [--json out.json]

Starts ``newsdesk serve`` on the store (its own process, on a free port of 127.0.0.1), waits for
``/readyz`` (the server warms itself: model, store, keyword index, spaCy, one rehearsal answer),
asks the first question once more as this bench's own warm-up, then asks every question once
from this process with the client ``newsdesk ask --server`` uses (``bot.server.client``: a new
connection per request). For each request: the wall time here, from the request sent to the
JSON read (``e2e``), the server's own answer time (the answer's ``timings_ms.total``), and
their difference (``http``: connection, request and response, JSON both ways, the WSGI
server's queue). The target (issue 11): e2e p95 <= 300 ms. ``bench/compare.py`` runs it on
its Newsdesk store with its questions; by default the questions are our own training ones,
never an evaluation set. The load average is recorded at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

TARGET_MS = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"`newsdesk serve` exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or 503 while it warms
            pass
        time.sleep(0.5)
    raise TimeoutError(f"`newsdesk serve` was not ready within {timeout:g} s")


def serve_latency(
    store: Path,
    questions: Sequence[str],
    *,
    collection: str = "newsdesk",
    ready_timeout: float = 600,
) -> dict[str, Any]:
    """Start a server on ``store``, ask ``questions`` through it, stop it: the figures."""
    from bot.eval.data import percentile
    from bot.server.client import post_json

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Only the parse store's settings pass through (run it with the store filled, or off).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWSDESK_") or k.startswith("NEWSDESK_PARSE_STORE")
    }
    env.update(NEWSDESK_STORE_PATH=str(store), NEWSDESK_COLLECTION=collection, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "bot.terminal.cli", "serve", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load_start = os.getloadavg()
    e2e: list[float] = []
    answer: list[float] = []
    statuses: dict[str, int] = {}
    try:
        wait_ready(base, server, ready_timeout)
        post_json(base, "/ask", {"question": questions[0]})  # this client's first call
        for question in questions:
            started = time.perf_counter()
            status, data = post_json(base, "/ask", {"question": question})
            e2e.append((time.perf_counter() - started) * 1000)
            answer.append(float(data.get("timings_ms", {}).get("total", 0.0)))
            key = str(data.get("status")) if status == 200 else f"HTTP {status}"
            statuses[key] = statuses.get(key, 0) + 1
    finally:
        server.terminate()  # the server this function started, by its own handle
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    http = [total - own for total, own in zip(e2e, answer, strict=True)]

    def figures(values: list[float]) -> dict[str, float]:
        return {
            "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
        }

    p95 = percentile(e2e, 0.95)
    return {
        "base_url": base,
        "questions": len(questions),
        "statuses": statuses,
        "e2e": figures(e2e),
        "answer_in_server": figures(answer),
        "http": figures(http),
        "target_ms": TARGET_MS,
        "e2e_p95_vs_target": round(p95 / TARGET_MS, 3),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--collection", default="newsdesk")
    parser.add_argument("--questions", type=Path, default=ROOT / "training" / "questions_a.jsonl")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][: args.limit]
    report = serve_latency(args.store.resolve(), questions, collection=args.collection)
    print(
        f"{report['questions']} questions through `newsdesk serve` ({report['statuses']}); "
        f"load average {report['load_average_start'][0]:.2f} -> "
        f"{report['load_average_end'][0]:.2f}"
    )
    for name in ("e2e", "answer_in_server", "http"):
        p50, p95 = report[name]["p50_ms"], report[name]["p95_ms"]
        print(f"  {name:18s} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms")
    print(f"e2e p95 / {TARGET_MS:g} ms target: {report['e2e_p95_vs_target']}  (target <= 1)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
