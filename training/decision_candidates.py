"""Two candidate decisions that use our held-out question files, written for a trial on a fresh set.

A measurement, not the shipped fit: ``make fit`` (``fit_decision.py``) reads the training files
only. Each candidate is the logistic regression of ``fit_decision.py`` (same features, same
sigmoid calibration, same folds by question id), written as a parameter file in the shipped
format to ``OUT``. To answer with one, copy it over ``bot/answer/decision_params.json`` in a
scratch checkout and run ``newsdesk eval answers`` there.

* ``with-heldout``: fitted on the training files, ``pending/`` and the held-out files that had
  been read for failure kinds (``heldout/questions_d``, ``questions_f``, ``questions_g``,
  ``questions_h``, ``questions_i``, ``questions_j``, ``partial_questions``; ``_h`` and ``_i``
  since session 36, ``_j`` since session 37),
  its threshold by the usual rule on cross-validated probabilities.
  More questions, and questions that no analysis fix was made from when they were written.
* ``heldout-threshold``: fitted on the training files only, its threshold chosen by the same
  rule (at most 5% of the answerable questions abstained on whole) on the same held-out files'
  probabilities instead of the training folds'. The analysis code was improved by reading
  training failures, so answerable training questions may look better to the model than fresh
  ones do; this threshold measures by how much.

``heldout/questions_k.jsonl``, dev and the seed questions are never read here: they are what
the candidates are judged on (``training/README.md``).

    PYTHONPATH=$PWD python training/decision_candidates.py with-heldout OUT.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import fit_decision as fd  # noqa: E402

# fit_decision reads its files from this global; rows_of() points it elsewhere, so keep its own.
TRAINING = list(fd.TRAINING)
PENDING = sorted((ROOT / "training/pending").glob("*.jsonl"))
READ_HELDOUT = [
    ROOT / "training/heldout" / name
    for name in (
        "questions_d.jsonl",
        "questions_f.jsonl",
        "questions_g.jsonl",
        "questions_h.jsonl",
        "questions_i.jsonl",
        "questions_j.jsonl",
        "partial_questions.jsonl",
    )
]


def rows_of(files: list[Path]) -> list[dict[str, Any]]:
    """``fit_decision.compute_rows`` over ``files`` (cached under their own key)."""
    fd.TRAINING = files
    return fd.compute_rows()


def arrays(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    y = np.array([r["answerable"] for r in rows], dtype=np.int64)
    groups = np.array([r["question_id"] for r in rows])
    return x, y, groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("candidate", choices=["with-heldout", "heldout-threshold"])
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.candidate == "with-heldout":
        files = TRAINING + PENDING + READ_HELDOUT
        rows = rows_of(files)
        x, y, groups = arrays(rows)
        prob = fd.out_of_fold("lr", x, y, groups)
        threshold = fd.choose_threshold(rows, prob)
        figures = fd.figures(rows, prob, threshold)
        figures["log_loss"] = round(fd._log_loss(y, prob), 4)
        fd.print_figures("with-heldout, cross-validated", figures)
        model = fd.make_model("lr").fit(x, y)
    else:
        rows = rows_of(TRAINING)
        x, y, groups = arrays(rows)
        held = rows_of(READ_HELDOUT)
        hx, _hy, _hg = arrays(held)
        model = fd.make_model("lr").fit(x, y)
        held_prob = model.predict_proba(hx)[:, 1]
        threshold = fd.choose_threshold(held, held_prob)
        fd.print_figures(
            "heldout-threshold, on the read held-out files", fd.figures(held, held_prob, threshold)
        )
        fd.TRAINING = TRAINING
    params = fd.export_lr(model, threshold, len(rows), len(set(groups.tolist())))
    params["candidate"] = args.candidate
    if args.candidate == "heldout-threshold":
        params["threshold_chosen_on"] = [str(p.relative_to(ROOT)) for p in READ_HELDOUT]
    args.out.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
    print(f"threshold {threshold}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
