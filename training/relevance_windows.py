"""How many windows the relevance reader should read: a measurement, it chooses nothing.

Every window of every training part's pairs (``fit_relevance.py``'s step 1: the first
``PAIR_WINDOWS`` windows per part) is scored by the cross-fitted models A and B (each scores the
folds it was not trained on), and the decision is cross-validated as ``fit_decision.py`` does
with the part's ``relevance`` taken as the best logit over the first 2, 3 (the shipped reading),
4 or 5 windows, or the strongest window's alone. Session 54: log loss 0.3828, 0.3825, 0.3828,
0.3829 and 0.3834 (``training/README.md``, "Session 54"). Needs ``data/fit/relevance-A.npz`` and
``-B.npz`` (``python training/fit_relevance.py train --models A B``).

    python training/relevance_windows.py
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import fit_decision as fd  # noqa: E402
import fit_relevance as fr  # noqa: E402

from bot.answer.relevance import FLOOR  # noqa: E402


def first(n: int) -> Callable[[list[float]], float]:
    return lambda logits: max(logits[:n]) if logits else FLOOR


def main() -> int:
    pairs = fr.build_pairs()
    logits = fr.cross_fitted_logits(pairs, read_only=False)
    base_rows = fd.compute_rows()
    readings = {f"first {n}": first(n) for n in (2, 3, 4, 5)}
    readings["strongest only"] = first(1)
    for name, read in readings.items():
        scores = {k: float(np.clip(read(v), FLOOR, -FLOOR)) for k, v in logits.items()}
        rows = fd.with_relevance(copy.deepcopy(base_rows), scores)
        x = np.array([r["features"] for r in rows], dtype=np.float64)
        y = np.array([r["answerable"] for r in rows], dtype=np.int64)
        groups = np.array([r["question_id"] for r in rows])
        prob = fd.out_of_fold("lr", x, y, groups)
        print(
            f"{name:15s} log loss {fd._log_loss(y, prob):.4f}  "
            f"question AUC {fd._question_auc(rows, prob):.4f}  "
            f"threshold {fd.choose_threshold(rows, prob):.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
