"""The decision's question AUC on answered question files: how well the best part's probability
tells answerable questions from unanswerable ones, threshold-free (a measurement; chooses
nothing). Reads the reports ``newsdesk eval answers --out`` writes.

    python training/answers_auc.py data/eval/answers-heldout-questions_r.json [...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def best_probability(record: dict[str, Any]) -> float | None:
    """A report record's best part probability; None when the decision judged nothing (an
    error, or a question refused before it)."""
    parts = (record["answer"].get("decision") or {}).get("parts") or []
    return max((float(p["probability"]) for p in parts), default=None)


def question_auc(reports: list[Path]) -> tuple[float, int]:
    """The AUC over every question of the reports that the decision judged, and their number."""
    from sklearn.metrics import roc_auc_score

    truth: list[int] = []
    best: list[float] = []
    for path in reports:
        for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
            probability = best_probability(record)
            if probability is not None:
                truth.append(int(record["answerable"]))
                best.append(probability)
    return round(float(roc_auc_score(truth, best)), 4), len(truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path)
    args = parser.parse_args(argv)
    auc, n = question_auc(args.reports)
    print(f"question AUC {auc} over {n} questions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
