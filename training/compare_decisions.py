"""Two decisions compared on the same question files, pooled, with how sure the difference is
(a measurement; chooses nothing).

    python training/compare_decisions.py --base A.json B.json --candidate A2.json B2.json

Each ``--base`` report (``newsdesk eval answers --out``) is paired with the ``--candidate``
report in the same position, over the same question file. Pooled over the pairs:

- near misses abstained (status ``no_answer``) and answerable questions abstained on whole, for
  each decision, with the questions on which they disagree (base right and candidate wrong,
  and the reverse) and the exact two-sided McNemar p-value over those (a binomial test on the
  disagreements: with 18 near misses a file, a difference of one is rarely more than chance);
- the question AUC of each (best part's probability, as ``answers_auc.py``) and the
  candidate's gain, with a 95% interval from a paired bootstrap over questions (fixed seed).

Session 52's rules judged a candidate on one fresh file; this is what a rule over several
files can read instead.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from answers_auc import best_probability

BOOTSTRAP = 2000
SEED = 52


@dataclass(frozen=True)
class Row:
    answerable: bool
    abstained: bool  # the whole question ("no_answer")
    best: float | None  # the best part's probability; None when nothing was judged


def rows(path: Path) -> dict[str, Row]:
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Row] = {}
    for record in report["records"]:
        out[record["question"]] = Row(
            bool(record["answerable"]), record["status"] == "no_answer", best_probability(record)
        )
    return out


def mcnemar(base_only: int, candidate_only: int) -> float:
    """Exact two-sided McNemar p-value: the disagreements as a fair coin's tosses."""
    from scipy.stats import binomtest

    n = base_only + candidate_only
    return 1.0 if n == 0 else float(binomtest(base_only, n, 0.5).pvalue)


def auc(truth: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(truth, score))


def compare(base: list[Path], candidate: list[Path]) -> dict[str, Any]:
    if len(base) != len(candidate):
        raise SystemExit("give as many --candidate reports as --base reports, in the same order")
    pairs: list[tuple[Row, Row]] = []
    for b, c in zip(base, candidate, strict=True):
        rb, rc = rows(b), rows(c)
        if set(rb) != set(rc):
            raise SystemExit(f"{b} and {c} answer different questions")
        pairs += [(rb[q], rc[q]) for q in sorted(rb)]
    out: dict[str, Any] = {"questions": len(pairs)}
    for name, answerable, right in (
        ("near_misses_abstained", False, True),
        ("answerable_abstained_on_whole", True, False),
    ):
        mine = [(b, c) for b, c in pairs if b.answerable is answerable]
        base_only = sum(1 for b, c in mine if (b.abstained is right) and (c.abstained is not right))
        cand_only = sum(1 for b, c in mine if (c.abstained is right) and (b.abstained is not right))
        out[name] = {
            "of": len(mine),
            "base": sum(1 for b, _ in mine if b.abstained),
            "candidate": sum(1 for _, c in mine if c.abstained),
            "base_right_only": base_only,
            "candidate_right_only": cand_only,
            "mcnemar_p": round(mcnemar(base_only, cand_only), 4),
        }
    judged = [(b, c) for b, c in pairs if b.best is not None and c.best is not None]
    truth = np.array([b.answerable for b, _ in judged], dtype=int)
    if not 0 < truth.sum() < len(truth):
        raise SystemExit("the AUC needs answerable and unanswerable questions the decision judged")
    sb = np.array([b.best for b, _ in judged], dtype=float)
    sc = np.array([c.best for _, c in judged], dtype=float)
    gains = []
    rng = np.random.default_rng(SEED)
    for _ in range(BOOTSTRAP):
        i = rng.integers(0, len(judged), len(judged))
        if 0 < truth[i].sum() < len(i):
            gains.append(auc(truth[i], sc[i]) - auc(truth[i], sb[i]))
    low, high = np.percentile(gains, [2.5, 97.5])
    out["question_auc"] = {
        "judged": len(judged),
        "base": round(auc(truth, sb), 4),
        "candidate": round(auc(truth, sc), 4),
        "gain_95": [round(float(low), 4), round(float(high), 4)],
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, nargs="+", required=True)
    parser.add_argument("--candidate", type=Path, nargs="+", required=True)
    args = parser.parse_args(argv)
    print(json.dumps(compare(args.base, args.candidate), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
