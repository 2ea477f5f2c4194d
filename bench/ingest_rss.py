"""Peak RSS and speed of a real ``newsdesk ingest``, as a user runs it, in a fresh store.

    python bench/ingest_rss.py --corpus ../shared/eval/bbc/corpus.jsonl [--runs 1] \
        [--env NEWSDESK_EMBEDDING_BATCH_SIZE=16 ...]

Runs ``newsdesk ingest CORPUS`` in a child process into a temporary store and reads the RSS of
the child (and any process it starts) from ``/proc`` every ``--every`` seconds. Prints, per run,
the peak RSS in MB (MiB), when it happened, the chunks/s the CLI reported and the load average.
``--env`` adds settings to the child's environment (repeat it), e.g. the batch size or
``NEWSDESK_INGEST_LOW_MEMORY=true``. Sampling misses peaks shorter than ``--every``; the
child's own ``ru_maxrss`` (``/usr/bin/time -v``) is the exact figure, this one shows the shape.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return 0
    match = re.search(r"^VmRSS:\s+(\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8")
    except OSError:
        return []
    return [int(p) for p in text.split()]


def one_run(corpus: Path, env: dict[str, str], every: float) -> dict[str, object]:
    store = Path(tempfile.mkdtemp(prefix="newsdesk-ingest-rss-"))
    newsdesk = shutil.which("newsdesk", path=str(Path(sys.executable).parent)) or "newsdesk"
    child_env = dict(os.environ, NEWSDESK_STORE_PATH=str(store / "store"), **env)
    child_env.pop("NEWSDESK_CHROMA_HOST", None)
    started = time.monotonic()
    proc = subprocess.Popen(
        [newsdesk, "ingest", "--quiet", str(corpus)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    peak, peak_at = 0, 0.0
    while proc.poll() is None:
        total = sum(rss_kb(p) for p in [proc.pid, *children(proc.pid)])
        if total > peak:
            peak, peak_at = total, time.monotonic() - started
        time.sleep(every)
    output = proc.stdout.read() if proc.stdout else ""
    seconds = time.monotonic() - started
    shutil.rmtree(store, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"newsdesk ingest failed ({proc.returncode}):\n{output}")
    speed = re.search(r"([\d.]+)\s+chunks/s", " ".join(output.split()))
    return {
        "peak_rss_mb": round(peak / 1024),
        "peak_at_s": round(peak_at, 1),
        "wall_s": round(seconds, 1),
        "chunks_per_s": float(speed.group(1)) if speed else None,
        "load": "/".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--every", type=float, default=0.5, help="Seconds between samples")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the child")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    rows = []
    for n in range(args.runs):
        row = one_run(args.corpus, env, args.every)
        rows.append(row)
        print(f"run {n + 1}: {json.dumps(row)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"env": env, "runs": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
