"""Where a cold one-shot ``newsdesk ask`` spends its time; versions of the code side by side.

    python bench/cold_ask.py --store seeds=data/seeds-store --store bbc=data/eval-bbc \
        [--code base=/tmp/base-checkout --code new=.] [--runs 5] [--question Q] [--json P]

Each run is a new process answering one question with ``ask --json``: ``python PROBE_FILE``,
which runs the CLI's ``main`` as the ``newsdesk`` script does. Not ``python -c``: a process
started that way skipped most of the interpreter's exit work here (0.25 s after the answer
against 1.8 s for a script, load average 13), so it would hide a cost every real run pays.
One untimed run per store and version first, so the OS file cache is warm; then versions and
stores are interleaved run by run (A/B/A/B), so that a change in the machine's load falls on
all alike. Per run: the wall time (from just before the process is started to its exit, taken
here), its CPU time (user + sys: this process's children's times before and after), and marks
the probe takes on the child's side on the same clock (``time.perf_counter`` is
``CLOCK_MONOTONIC`` on Linux, shared by all processes):

- ``start``: the interpreter up and the probe running (Python's own start-up);
- ``cli``: ``bot.terminal.cli`` imported (typer, rich, the settings module);
- ``build``: until ``build_answerer`` returns (settings read, bot.core and the retrieval modules
  imported, the objects made);
- ``count``: ``searcher.count()``: chromadb imported and the store opened;
- ``warm``: ``Answerer.warm`` (the keyword index, the query encoder, spaCy's pipeline);
- ``answer``: ``Answerer.answer``;
- ``exit``: printing the answer and the interpreter's exit.

A phase is the time between the previous mark and its own. Prints p50 of each per version and
store, the load average before and after, and whether every run of a store gave the same
answer text (byte for byte, across versions too).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What did Johnson say about Russia?"
PHASES = ("start", "cli", "build", "count", "warm", "answer", "exit")

# Runs in the child: marks on the shared monotonic clock, written to stderr at exit.
PROBE = r"""
import atexit, json, sys, time
marks = {"start": time.perf_counter()}
atexit.register(lambda: sys.stderr.write("MARKS=" + json.dumps(marks) + "\n"))
sys.argv = ["newsdesk", *json.loads(sys.argv[1])]
import bot.terminal.cli as cli
marks["cli"] = time.perf_counter()
import bot.wiring

def timed(name, fn):
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            marks.setdefault(name, time.perf_counter())
    return call

build = bot.wiring.build_answerer
def build_answerer(*args, **kwargs):
    answerer = timed("build", build)(*args, **kwargs)
    answerer.searcher.count = timed("count", answerer.searcher.count)
    answerer.warm = timed("warm", answerer.warm)
    answerer.answer = timed("answer", answerer.answer)
    return answerer
bot.wiring.build_answerer = build_answerer
cli.main()
"""


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def one_run(probe: Path, code: Path, store: Path, question: str) -> dict[str, Any]:
    # Only the parse store's settings pass through (run it with the store filled, or off).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWSDESK_") or k.startswith("NEWSDESK_PARSE_STORE")
    }
    env.update(NEWSDESK_STORE_PATH=str(store), PYTHONPATH=str(code))
    args = json.dumps(["ask", "--json", question])
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(probe), args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, errors = child.communicate()
    end = time.perf_counter()
    # communicate() has reaped the child: its CPU time is in this process's children's totals.
    if child.returncode != 0:
        raise SystemExit(f"ask failed ({code}, {store}):\n{errors}")
    line = next(x for x in errors.splitlines() if x.startswith("MARKS="))
    marks = json.loads(line.removeprefix("MARKS="))
    marks["exit"] = end
    phases, previous = {}, t0
    for name in PHASES:
        if name in marks:
            phases[name] = marks[name] - previous
            previous = marks[name]
    return {"wall": end - t0, "phases": phases, "text": json.loads(out)["text"]}


def cpu_of_children() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", action="append", required=True, help="NAME=PATH")
    parser.add_argument("--code", action="append", help="NAME=PATH (default: this checkout)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    stores = dict(s.split("=", 1) for s in args.store)
    codes = dict(c.split("=", 1) for c in (args.code or [f"this={ROOT}"]))
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    load_before = load()
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.py"
        probe.write_text(PROBE, encoding="utf-8")
        for code in codes.values():  # warm the OS file cache (and the .pyc files) for each
            for store in stores.values():
                one_run(probe, Path(code).resolve(), Path(store).resolve(), args.question)
        for _ in range(args.runs):
            for code_name, code in codes.items():
                for store_name, store in stores.items():
                    cpu = cpu_of_children()
                    run = one_run(probe, Path(code).resolve(), Path(store).resolve(), args.question)
                    run["cpu"] = cpu_of_children() - cpu
                    results.setdefault((code_name, store_name), []).append(run)
    load_after = load()

    summary: dict[str, Any] = {"load_before": load_before, "load_after": load_after, "runs": {}}
    print(f"load average before {load_before}, after {load_after}; {args.runs} runs each, p50 s")
    header = ["version", "store", "wall", "cpu", *PHASES]
    print("  ".join(f"{h:>7}" for h in header))
    for (code_name, store_name), runs in results.items():
        row = {
            "wall": statistics.median(r["wall"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "walls": [round(r["wall"], 2) for r in runs],
        }
        for phase in PHASES:
            row[phase] = statistics.median(r["phases"].get(phase, 0.0) for r in runs)
        summary["runs"][f"{code_name}/{store_name}"] = row
        cells = [f"{row[h]:7.2f}" for h in header[2:]]
        print("  ".join([f"{code_name:>7}", f"{store_name:>7}", *cells]))
    for store_name in stores:
        texts = {r["text"] for (_, s), runs in results.items() if s == store_name for r in runs}
        same = len(texts) == 1
        summary.setdefault("same_answer", {})[store_name] = same
        print(f"{store_name}: the same answer text in every run: {same}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
