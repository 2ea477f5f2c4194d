"""Every answer in full, one JSON line per question: to prove a speed-up changed no output.

    python bench/answers_dump.py --store data/eval-bbc --out /tmp/before.jsonl \
        [--questions training/questions_a.jsonl ...] [--limit N]
    python bench/answers_dump.py --store data/eval-bbc --out /tmp/after.jsonl \
        --replay /tmp/before.jsonl
    python bench/answers_dump.py --compare /tmp/before.jsonl /tmp/after.jsonl

Each line holds the answer text, status, citations, what was dropped, the hits' chunk ids, and
per question part the decision's probability (as Python's ``repr`` of the float: exact), the
action, the reason and the feature vector. ``--compare`` reports the lines that differ;
probabilities and features may differ by at most ``--tolerance`` (1e-9), everything else must be
equal. The store is opened as it is (nothing is ingested); answers use the offline default
(the extractive generator), in one process, caches kept between questions as in service.

``--replay``: each question gets the passages recorded for it in an earlier dump instead of a
new search, so everything after retrieval is compared on the same input. (Hybrid search is not
always the same from one process to the next on the BBC store: 3 of 494 questions had a hit
swapped with the next between two runs of the same code.)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

QUESTION_FILES = [ROOT / f"training/questions_{s}.jsonl" for s in "abc"]


def answer_record(answer: Any) -> dict[str, Any]:
    """What an answer says, with the decision's numbers unrounded."""
    from bot.answer.features import feature_vector

    record: dict[str, Any] = {
        "question": answer.question,
        "status": answer.status,
        "text": answer.text,
        "citations": [c.to_json() for c in answer.citations],
        "dropped": [[d.text, d.reason] for d in answer.dropped],
        "hits": [h.chunk_id for h in answer.hits],
        "hit_records": [dataclasses.asdict(h) for h in answer.hits],
        "generator": answer.generator,
        "error": answer.error,
    }
    judgement = answer.judgement
    if judgement is not None:
        record["outcome"] = judgement.outcome
        record["parts"] = [
            {
                "part": d.part,
                "action": d.action,
                "probability": repr(float(d.probability)),
                "reason": d.reason,
                "features": [repr(float(x)) for x in feature_vector(ev)],
                "windows": len(ev.windows),
                "missing": list(ev.missing),
            }
            for ev, d in zip(judgement.evidence, judgement.decision.parts, strict=True)
        ]
    return record


def dump(
    store: Path, question_files: list[Path], limit: int | None, out: Path, replay: Path | None
) -> None:
    from bot.core import Answerer
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase
    from retrieval.types import Hit

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": store, "chroma_host": None})
    kb = KnowledgeBase(config)
    answerer = Answerer(kb, kb.embeddings, settings)
    questions: list[str] = []
    for path in question_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    questions = questions[:limit] if limit else questions
    recorded: dict[str, list[Hit]] = {}
    if replay is not None:
        for line in replay.read_text(encoding="utf-8").splitlines():
            old = json.loads(line)
            recorded[old["question"]] = [Hit(**h) for h in old["hit_records"]]
    asked = [""]

    search = answerer._search

    def replayed(question: str, parts: Any, k: int) -> list[Hit]:
        # The warm-up question was not recorded: it searches.
        hits = recorded.get(asked[0])
        return list(hits) if hits is not None else search(question, parts, k)

    if replay is not None:
        answerer._search = replayed  # type: ignore[method-assign]
    started = time.perf_counter()
    with out.open("w", encoding="utf-8") as f:
        for question in questions:
            asked[0] = question
            record = answer_record(answerer.answer(question))
            f.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    took = time.perf_counter() - started
    print(f"{len(questions)} answers in {took:.0f} s -> {out}", file=sys.stderr)


def _differs(a: Any, b: Any, tolerance: float, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            _differs(a.get(key), b.get(key), tolerance, f"{path}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _differs(x, y, tolerance, f"{path}[{i}]", out)
    elif a != b:
        if path.split(".")[-1].startswith(("probability", "features")):
            try:
                if abs(float(a) - float(b)) <= tolerance:
                    return
            except (TypeError, ValueError):
                pass
        out.append(f"{path}: {a!r} != {b!r}")


def compare(before: Path, after: Path, tolerance: float) -> int:
    a = before.read_text(encoding="utf-8").splitlines()
    b = after.read_text(encoding="utf-8").splitlines()
    if len(a) != len(b):
        print(f"{len(a)} lines against {len(b)}")
        return 1
    bad = 0
    for n, (x, y) in enumerate(zip(a, b, strict=True), 1):
        diffs: list[str] = []
        _differs(json.loads(x), json.loads(y), tolerance, "", diffs)
        if diffs:
            bad += 1
            print(f"line {n}: " + "; ".join(diffs[:5]))
    print(f"{len(a)} answers compared, {bad} differ (tolerance {tolerance})")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--questions", type=Path, nargs="+", default=QUESTION_FILES)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--tolerance", type=float, default=1e-9)
    parser.add_argument("--replay", type=Path, default=None, help="a dump whose hits to reuse")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare, args.tolerance)
    if args.out is None:
        parser.error("--out or --compare is needed")
    dump(args.store, args.questions, args.limit, args.out, args.replay)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
