"""What embedding one query costs: the torch backend against the light query encoder.

    python bench/query_embed.py [--questions training/questions_a.jsonl] [--rounds 5] [--json P]

Both encoders run in this one process over the same questions (our own training questions: no
test set is needed to time an encoder), interleaved question by question so that a change in the
machine's load falls on both alike; the query cache is bypassed so that every call embeds. Torch
runs a query on one thread, as ``LocalEmbeddings`` does (``_one_thread``); the light encoder is
ONNX Runtime on one thread over the export in the model cache (``newsdesk ingest`` makes it).
Prints p50/p95 in ms for each, their cosine (min over the questions) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=ROOT / "training" / "questions_a.jsonl")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import numpy as np

    from bot.eval.data import load_questions, percentile
    from retrieval.embeddings import LocalEmbeddings

    questions = [q["question"] for q in load_questions(args.questions)]
    torch_side = LocalEmbeddings(query_encoder="backend", device="cpu")
    light_side = LocalEmbeddings()
    light_side.prepare_query_encoder()  # exports once if the cache lacks it (not timed)
    if light_side.light is None:
        raise SystemExit("the light query encoder cannot run here (see the log)")
    torch_side.load()
    for text in questions[:5]:  # warm-up, not timed
        torch_side._encode_one(text + " ")
        light_side._encode_one(text + " ")

    times: dict[str, list[float]] = {"torch": [], "light": []}
    cosines = []
    for round_ in range(args.rounds):
        for i, text in enumerate(questions):
            query = f"{text} ({round_}.{i})"  # new text each time: never a cache hit
            vectors = {}
            for name, side in (("torch", torch_side), ("light", light_side)):
                t0 = time.perf_counter()
                vectors[name] = side._encode_one(query)
                times[name].append((time.perf_counter() - t0) * 1000)
            cosines.append(float(np.dot(vectors["torch"], vectors["light"])))
    figures = {
        name: {
            "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
        }
        for name, values in times.items()
    }
    figures["queries"] = len(cosines)  # type: ignore[assignment]
    figures["min_cosine"] = round(min(cosines), 6)  # type: ignore[assignment]
    figures["load"] = "/".join(f"{x:.1f}" for x in os.getloadavg())  # type: ignore[assignment]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
