"""Choose the default word budget of an answer (``NEWSDESK_ANSWER_MAX_WORDS``) on our questions.

The budget is how many words the offline answer may quote. It was 120 from the first commit, a
guess never measured. This script measures, for each budget on a grid, what the extractive
generator's answers to our answerable training questions (``training/questions_*.jsonl``; never
dev, seed or held-out) cover, exactly as ``fit_extractive.py`` measures its objective: the mean
must-mention coverage, and the mean share of the answer's sentences quoted from a gold article
(or a duplicate), for single and multi questions and for all.

A longer answer can only quote more, so coverage grows with the budget; what it costs is the
reader's time. The rule: the default is the smallest budget on the grid after which no longer
budget gains a full point of coverage (0.01, all answerable questions) per 30 more words.
Writes ``training/word_budget_report.json``; ``bot/settings.py`` and ``fit_extractive.MAX_WORDS``
carry the chosen value (a test checks they agree with the report).

Then the budget of an answer about several stories, given part by part from different articles
(``answer_max_words_apart``; ``ExtractiveGenerator._select_parts``): the same rule, at the chosen
budget, over the multi questions only (the questions that path is for; a single question seldom
takes it, and counting them would only dilute the measure). Measured on 2026-12-05 (session 29):
coverage of the 81 multi questions 0.8025 / 0.8086 / 0.8272 / 0.8272 for 180 / 210 / 240 / 270
words, and no more above; gold-article share 0.891 throughout: 240 is chosen.

    PYTHONPATH=$PWD python training/word_budget.py [--no-write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import fit_decision as fd  # noqa: E402
import fit_extractive as fx  # noqa: E402

GRID = (100, 120, 135, 150, 165, 180, 210, 240)
APART_GRID = (180, 210, 240, 270, 300, 360)
# Words added to the chosen budget for a question analysed into two parts (measured, not used:
# the first 40 gain under a point per 30 words, CHANGELOG).
EXTRA_PER_PART = (0, 40, 75, 110, 150)
GAIN_PER_30_WORDS = 0.01
REPORT = ROOT / "training/word_budget_report.json"


def choose(coverage: dict[int, float]) -> int:
    """The smallest budget after which no longer one gains GAIN_PER_30_WORDS per 30 words."""
    budgets = sorted(coverage)
    for i, b in enumerate(budgets):
        later = budgets[i + 1 :]
        if all((coverage[c] - coverage[b]) * 30 / (c - b) < GAIN_PER_30_WORDS for c in later):
            return b
    return budgets[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)

    from bot.generators.extractive.weights import default_weights

    items = fx.collect()
    kinds = {
        f"{path.name}:{n}": record.get("type", "single")
        for path in fd.TRAINING
        for n, record in enumerate(fd.load_jsonl(path))
    }
    vectors = fx.VectorCache(fd.CACHE / "extractive-embeddings.npz")
    weights = default_weights()
    table: dict[int, dict[str, Any]] = {}
    for budget in GRID:
        row: dict[str, Any] = {}
        for kind in ("single", "multi"):
            subset = [i for i in items if kinds[i["id"]] == kind]
            cov, prec = fx.measure(subset, weights, vectors, budget, None)
            row[kind] = {
                "questions": len(subset),
                "coverage": round(cov, 4),
                "gold": round(prec, 4),
            }
        cov, prec = fx.measure(items, weights, vectors, budget, None)
        row["all"] = {"questions": len(items), "coverage": round(cov, 4), "gold": round(prec, 4)}
        table[budget] = row
        print(budget, json.dumps(row), flush=True)
    chosen = choose({b: r["all"]["coverage"] for b, r in table.items()})
    print(f"chosen: {chosen} words")
    multi = [i for i in items if kinds[i["id"]] == "multi"]
    apart: dict[int, dict[str, Any]] = {}
    for budget in APART_GRID:
        cov, prec = fx.measure(multi, weights, vectors, chosen, budget)
        apart[budget] = {"questions": len(multi), "coverage": round(cov, 4), "gold": round(prec, 4)}
        print(f"apart {budget}: {json.dumps(apart[budget])}", flush=True)
    chosen_apart = choose({b: r["coverage"] for b, r in apart.items()})
    print(f"chosen apart: {chosen_apart} words")
    from bot.answer.nlp import load_nlp
    from bot.answer.question import analyse

    nlp = load_nlp()
    two = [i for i in items if len(analyse(i["question"], nlp).parts) == 2]
    per_part: dict[int, dict[str, Any]] = {}
    for extra in EXTRA_PER_PART:
        cov, prec = fx.measure(two, weights, vectors, chosen + extra, None)
        per_part[extra] = {"questions": len(two), "coverage": round(cov, 4), "gold": round(prec, 4)}
        print(f"two parts, {chosen} + {extra} words: {json.dumps(per_part[extra])}", flush=True)
    vectors.save()
    if not args.no_write:
        report = {
            "questions": len(items),
            "rule": (
                "smallest budget on the grid after which no longer budget gains "
                f"{GAIN_PER_30_WORDS} of mean must-mention coverage (all answerable training "
                "questions) per 30 more words"
            ),
            "weights": "the shipped extractive weights (scoring_params.json)",
            "chosen": chosen,
            "table": {str(b): r for b, r in table.items()},
            "apart": {
                "questions": "answerable multi questions",
                "rule": "the same rule, over these questions, at the chosen budget",
                "chosen": chosen_apart,
                "table": {str(b): r for b, r in apart.items()},
            },
            "per_extra_part": {
                "questions": "answerable, analysed into two parts",
                "table": {str(x): r for x, r in per_part.items()},
            },
        }
        REPORT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
