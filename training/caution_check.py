"""How cautious each decision is on our training near misses (a measurement; writes nothing).

The threshold rule of ``fit_decision.py`` sets a refit's threshold where its out-of-fold
abstentions on the unanswerable training questions match the reference decision's. This prints
that share for the reference decision, for the shipped decision at its threshold (partly
in-sample: it was fitted on most of these rows), and for the refit at the rule's threshold; and
the threshold at which the refit matches the shipped decision's share instead, with the share of
answerable questions each abstains on whole (session 48, ``training/README.md``).

    python training/caution_check.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import fit_decision as fd  # noqa: E402

from bot.answer.decision import DecisionParams  # noqa: E402
from bot.answer.features import FEATURE_NAMES  # noqa: E402


def false_abstains(rows: list[dict[str, Any]], prob: np.ndarray, threshold: float) -> float:
    """The share of answerable training questions with every part below ``threshold``."""
    return float(np.mean(fd._best_by_question(rows, prob, answerable=True) < threshold))


def main() -> int:
    rows = fd.compute_rows()
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    y = np.array([r["answerable"] for r in rows], dtype=np.int64)
    groups = np.array([r["question_id"] for r in rows])
    shipped = DecisionParams.from_dict(json.loads(fd.PARAMS_OUT.read_text(encoding="utf-8")), None)
    idx = [FEATURE_NAMES.index(n) for n in shipped.feature_names]
    p_shipped = np.array([shipped.probability(v) for v in x[:, idx]])
    oof = fd.out_of_fold("lr", x, y, groups)
    rule = fd.choose_threshold(rows, oof)
    target = fd.caution(rows, p_shipped, shipped.threshold)
    matched = fd.threshold_for_caution(rows, oof, target)
    print(f"reference decision: caution {fd.reference_caution(rows):.4f}")
    print(
        f"shipped decision (threshold {shipped.threshold}): caution {target:.4f}, "
        f"false abstains {false_abstains(rows, p_shipped, shipped.threshold):.4f}"
    )
    for label, t in (("rule's", rule), ("shipped caution's", matched)):
        print(
            f"refit out of fold at the {label} threshold {t}: caution "
            f"{fd.caution(rows, oof, t):.4f}, false abstains {false_abstains(rows, oof, t):.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
