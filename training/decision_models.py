"""Other models for the answer-or-abstain decision, cross-validated as ``fit_decision.py`` does.

A measurement, not a fit that ships: each variant is fitted out of fold on the training parts
(``fit_decision.compute_rows``; the same folds by question id, the same sigmoid calibration,
the same threshold rule) and reported beside the shipped kind (logistic regression on every
feature). Variants: L1-penalised logistic regression; the logistic regression without one
feature or a pair (the features whose fitted weight has the sign opposite to what they
measure); the logistic regression with every weight kept to the sign of what its feature
measures (scipy's bounded L-BFGS); gradient boosting, plain and with monotonic constraints (more
evidence never lowers the probability).
The decision's training files only (``fit_decision.DECISION_TRAINING``): no dev, seed or
measuring held-out file is read.

    PYTHONPATH=$PWD python training/decision_models.py
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import fit_decision as fd  # noqa: E402

from bot.answer.features import FEATURE_NAMES  # noqa: E402

# What each feature measures, for the monotonic constraints: +1 more of it is more evidence that
# the part is answered, -1 less, 0 no direction (the answer-type indicators, has_constraints,
# speaker).
INCREASING = frozenset(
    {
        "constraint_share",
        "value_with_constraints",
        "value_near",
        "speaker_topic",
        "predicate",
        "relation",
        "focus",
        "all_in_one",
        "keyword_coverage",
        "similarity",
        "similarity_best",
        "agreement",
        "full_rank",
        "event_realis",
        "speech_topic",
        "relation_value",
        "relevance",
    }
)
DECREASING = frozenset(
    {"missing_share", "terms_missing", "withheld_full", "withheld_top", "modal_top", "modal_full"}
)


def calibrated(base: Callable[[], Any]) -> Callable[[], Any]:
    from sklearn.calibration import CalibratedClassifierCV

    return lambda: CalibratedClassifierCV(base(), method="sigmoid", cv=5, ensemble=False)


def logistic(c: float = 1.0, penalty: str = "l2") -> Callable[[], Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    solver = "liblinear" if penalty == "l1" else "lbfgs"
    return calibrated(
        lambda: make_pipeline(
            StandardScaler(),
            LogisticRegression(C=c, penalty=penalty, solver=solver, max_iter=3000),
        )
    )


class SignedLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-penalised logistic regression (sklearn's objective at ``C``) whose weights keep the
    signs ``signs`` give (+1 at least 0, -1 at most 0, 0 free): fitted with scipy's bounded
    L-BFGS, which sklearn's ``LogisticRegression`` does not offer."""

    def __init__(self, signs: list[int] | None = None, c: float = 1.0) -> None:
        self.signs = signs
        self.c = c

    def fit(self, x: np.ndarray, y: np.ndarray) -> SignedLogisticRegression:
        from scipy.optimize import minimize
        from scipy.special import expit

        n = x.shape[1]
        target = np.asarray(y, dtype=np.float64)
        signs = self.signs if self.signs is not None else [0] * n

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = x @ w[:n] + w[n]
            value = self.c * float(np.sum(np.logaddexp(0.0, z) - target * z))
            residual = self.c * (expit(z) - target)
            grad = np.append(x.T @ residual + w[:n], residual.sum())
            return value + 0.5 * float(w[:n] @ w[:n]), grad

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs]
        fitted = minimize(
            loss, np.zeros(n + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]
        )
        self.coef_ = fitted.x[:n].reshape(1, -1)
        self.intercept_ = fitted.x[n:]
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x @ self.coef_[0] + self.intercept_[0])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        from scipy.special import expit

        p = expit(self.decision_function(x))
        return np.column_stack([1.0 - p, p])

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.decision_function(x) > 0).astype(int)


def signed_logistic(signs: list[int]) -> Callable[[], Any]:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return calibrated(lambda: make_pipeline(StandardScaler(), SignedLogisticRegression(signs)))


def boosting(monotonic: list[int] | None, rate: float, depth: int | None) -> Callable[[], Any]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return calibrated(
        lambda: HistGradientBoostingClassifier(
            max_iter=200 if depth is None else 150,
            learning_rate=rate,
            max_depth=depth,
            monotonic_cst=monotonic,
            random_state=fd.SEED,
        )
    )


def evaluate(
    rows: list[dict[str, Any]], make: Callable[[], Any], columns: list[str]
) -> dict[str, Any]:
    names = list(FEATURE_NAMES)
    idx = [names.index(c) for c in columns]
    x = np.array([r["features"] for r in rows])[:, idx]
    y = np.array([r["answerable"] for r in rows]).astype(int)
    fold = fd.folds_of(np.array([r["question_id"] for r in rows]))
    prob = np.zeros(len(y))
    for k in range(fd.FOLDS):
        test = fold == k
        prob[test] = make().fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    threshold = fd.choose_threshold(rows, prob)
    figs = fd.figures(rows, prob, threshold)
    at90 = fd.figures(rows, prob, fd.abstain_target_threshold(prob, y.astype(bool)))["questions"]
    return {
        "log_loss": round(fd._log_loss(y, prob), 4),
        "threshold": threshold,
        "abstained": figs["parts"]["abstain_unanswerable"]["k"],
        "unanswerable": int((y == 0).sum()),
        "false_abstains": figs["parts"]["false_abstain_positive"]["k"],
        "answerable": int((y == 1).sum()),
        "at_90_not_answered": at90["single"]["no_answer"] + at90["multi"]["no_answer"],
        "auc": round(fd._question_auc(rows, prob), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    rows = fd.compute_rows()
    names = list(FEATURE_NAMES)
    monotonic = [1 if n in INCREASING else -1 if n in DECREASING else 0 for n in names]
    variants: list[tuple[str, Callable[[], Any], list[str]]] = [
        ("logistic regression (shipped kind)", logistic(), names),
        *((f"L1, C={c}", logistic(c, "l1"), names) for c in (0.03, 0.1, 0.3)),
        *(
            (f"without {', '.join(drop)}", logistic(), [n for n in names if n not in drop])
            for drop in (
                ("similarity",),
                ("terms_missing",),
                ("similarity", "terms_missing"),
                ("relation",),
                ("constraint_share",),
                ("keyword_coverage",),
            )
        ),
        ("logistic regression, expected signs", signed_logistic(monotonic), names),
        ("gradient boosting", boosting(None, 0.05, None), names),
        ("gradient boosting, monotonic", boosting(monotonic, 0.05, None), names),
        ("gradient boosting, monotonic, depth 2", boosting(monotonic, 0.05, 2), names),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear's and the calibration's convergence notes
        for label, make, columns in variants:
            f = evaluate(rows, make, columns)
            print(
                f"{label:42s} log loss {f['log_loss']:.4f}  threshold {f['threshold']:.3f}  "
                f"abstained {f['abstained']}/{f['unanswerable']}  false abstains "
                f"{f['false_abstains']}/{f['answerable']}  at 90%: {f['at_90_not_answered']} "
                f"questions not answered  AUC {f['auc']:.4f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
