"""Cross-validated figures of the decision with and without some features (which to keep).

Reads the cached feature rows of ``fit_decision.py`` (training questions only) and, for the
full feature set and for the set without each named feature (and without all of them), prints
the out-of-fold figures of both models at the threshold rule of ``fit_decision.py``:
unanswerable parts abstained on, answerable parts abstained on, question AUC, log loss. With
``--one-at-a-time``: without all the named features, then with each one alone added back.
Nothing is written.

    python training/decision_ablation.py [--models lr] [--one-at-a-time] modal_top modal_full
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import fit_decision as fd  # noqa: E402

from bot.answer.features import FEATURE_NAMES  # noqa: E402


def cv_line(rows: list[dict[str, Any]], x: np.ndarray, kind: str) -> str:
    y = np.array([r["answerable"] for r in rows], dtype=np.int64)
    groups = np.array([r["question_id"] for r in rows])
    prob = fd.out_of_fold(kind, x, y, groups)
    threshold = fd.choose_threshold(rows, prob)
    parts = fd.figures(rows, prob, threshold)["parts"]
    ab, fa = parts["abstain_unanswerable"], parts["false_abstain_positive"]
    return (
        f"{kind:3s} t={threshold:.3f} abstain {ab['k']}/{ab['n']} FA {fa['k']}/{fa['n']} "
        f"AUC {fd._question_auc(rows, prob):.4f} log loss {fd._log_loss(y, prob):.4f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("features", nargs="+", choices=FEATURE_NAMES)
    parser.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="instead: without all the named features, then with each one alone added back",
    )
    parser.add_argument("--models", default="lr,hgb", help="lr, hgb or both (comma-separated)")
    args = parser.parse_args(argv)
    rows = fd.compute_rows()
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    named = list(args.features)
    sets: list[tuple[str, list[str]]]
    if args.one_at_a_time:
        sets = [("without all of them", named)]
        sets += [(f"only {name} of them", [n for n in named if n != name]) for name in named]
    else:
        sets = [("all", [])]
        sets += [(f"without {name}", [name]) for name in named]
        if len(named) > 1:
            sets.append(("without all of them", named))
    for label, dropped in sets:
        keep = [i for i, n in enumerate(FEATURE_NAMES) if n not in dropped]
        print(label, flush=True)
        for kind in args.models.split(","):
            print("  " + cv_line(rows, x[:, keep], kind), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
