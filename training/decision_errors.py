"""Print the unanswerable training parts the cross-validated decision answers (error analysis).

For each unanswerable part whose out-of-fold probability (the logistic regression of
``fit_decision.py``, same folds, same threshold rule) is at or above the threshold (with
``--false-abstains``: each answerable part below it) the
question, the probability, the feature vector, the question analysis (asked-for type, focus,
relation, constraints) and the strongest window's text. Training data only; nothing is chosen
here, it is for reading.

    python training/decision_errors.py [--windows N] [--false-abstains] [--no-text]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import fit_decision as fd  # noqa: E402

from bot.answer.features import FEATURE_NAMES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--windows", type=int, default=1, help="windows shown per part")
    parser.add_argument("--no-text", action="store_true", help="skip retrieval and window text")
    parser.add_argument(
        "--false-abstains",
        action="store_true",
        help="print the answerable parts below the threshold instead",
    )
    args = parser.parse_args(argv)
    rows = fd.compute_rows()
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    y = np.array([r["answerable"] for r in rows], dtype=np.int64)
    groups = np.array([r["question_id"] for r in rows])
    prob = fd.out_of_fold("lr", x, y, groups)
    threshold = fd.choose_threshold(rows, prob)
    if args.false_abstains:
        wrong = [i for i, r in enumerate(rows) if r["answerable"] and prob[i] < threshold]
        kind = "answerable parts abstained on"
    else:
        wrong = [i for i, r in enumerate(rows) if not r["answerable"] and prob[i] >= threshold]
        kind = "unanswerable parts answered"
    print(
        f"threshold {threshold}: {len(wrong)} {kind}; question AUC {fd._question_auc(rows, prob)}\n"
    )
    records = {
        f"{fd.question_file(p)}:{n}": r
        for p in fd.DECISION_TRAINING
        for n, r in enumerate(fd.load_jsonl(p))
    }
    kb = nlp = encode = None
    if not args.no_text:
        kb = fd.knowledge_base(fd.BBC_CORPUS, fd.BBC_STORE)
        nlp, encode = fd.engine()
    # The most confident mistakes first.
    order = sorted(wrong, key=lambda i: prob[i] if args.false_abstains else -prob[i])
    for i in order:
        row = rows[i]
        record = records[row["question_id"]]
        print(f"== {row['question_id']} part {row['part']} p={prob[i]:.3f}")
        print(f"   Q: {record['question']}")
        print(f"   near: {record.get('near', '')} | why: {record.get('why', '')}")
        feats = ", ".join(
            f"{n}={v:.2f}" for n, v in zip(FEATURE_NAMES, row["features"], strict=True) if v
        )
        print(f"   features: {feats}")
        if kb is None:
            continue
        run = fd.run_question(record, kb, nlp, encode)
        ev = run.evidence[row["part"]]
        p = ev.part
        print(
            f"   analysis: type={p.answer_type} wh={p.wh!r} focus={p.focus!r} "
            f"constraints={list(ev.constraints)} missing={list(ev.missing)}"
        )
        print(f"   relation: {p.relation}  terms={p.terms} terms_missing={ev.terms_missing}")
        for w in ev.windows[: args.windows]:
            text = fd.window_text(run.passages, w.article_id, w.sentences)
            print(
                f"   window {w.article_id} share={w.constraint_share:.2f} "
                f"near={w.value_near:.2f} rel={w.relation_share:.2f} focus={w.focus_present} "
                f"found={list(w.constraints_found)}"
            )
            print(f"     {text[:600]}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
