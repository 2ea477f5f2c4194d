"""How a decision treats each kind of near miss: pooled over ``newsdesk eval answers`` reports,
the unanswerable questions of each kind, and how many were abstained on whole, answered in part
or answered (a measurement; chooses nothing).

    python training/near_miss_kinds.py data/eval/answers-heldout-questions_z*.json

A near miss's kind is the letter its ``why`` starts with, as the held-out files from
``questions_zd`` on write it (the recipe in ``training/README.md``):

- (a) an amount never given;
- (b) an outcome only previewed (the article was written before the result);
- (c) a statement on another topic (the person is quoted, on something else);
- (d) another event of the kind (another match, deal or ceremony the corpus does not report);
- (e) a name, count or date not given.

Questions whose ``why`` names no kind are counted as ``unlabelled``. Each report names the
question file it answered (``questions_file``); ``--questions-dir`` reads the files of that name
from another folder (a report written in another checkout).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.eval.data import load_questions  # noqa: E402

KINDS = {
    "a": "amount never given",
    "b": "outcome only previewed",
    "c": "statement on another topic",
    "d": "another event of the kind",
    "e": "name, count or date not given",
}
UNLABELLED = "unlabelled"
_KIND = re.compile(r"\s*\(([a-e])\)")


def kind_of(why: str) -> str:
    """The kind letter a near miss's ``why`` starts with ("(b) outcome only previewed: ..."),
    else ``unlabelled``."""
    found = _KIND.match(why or "")
    return found.group(1) if found else UNLABELLED


def _whys(path: Path) -> dict[str, str]:
    """Each near miss's ``why``, by question, read as ``newsdesk eval answers`` reads the file."""
    return {
        q["question"]: str(q.get("why", ""))
        for q in load_questions(path)
        if not q.get("answerable", True)
    }


def tally(reports: list[Path], questions_dir: Path | None = None) -> dict[str, Counter[str]]:
    """Per kind: how many near misses, and their statuses (``no_answer``, ``partial``, ...)."""
    out: dict[str, Counter[str]] = {}
    for path in reports:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        questions = Path(report["questions_file"])
        if questions_dir is not None:
            questions = questions_dir / questions.name
        whys = _whys(questions)
        for record in report["records"]:
            if record["answerable"]:
                continue
            if record["question"] not in whys:
                raise SystemExit(
                    f"{path}: {record['question']!r} is not a near miss of {questions}"
                )
            counts = out.setdefault(kind_of(whys[record["question"]]), Counter())
            counts["n"] += 1
            counts[record["status"]] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--questions-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    counts = tally(args.reports, args.questions_dir)
    print(f"{'kind':36s} {'near misses':>11s} {'abstained':>9s} {'partial':>7s} {'answered':>8s}")
    for kind in [*KINDS, UNLABELLED]:
        c = counts.get(kind)
        if not c:
            continue
        label = f"({kind}) {KINDS[kind]}" if kind in KINDS else kind
        share = c["no_answer"] / c["n"]
        print(
            f"{label:36s} {c['n']:11d} {c['no_answer']:4d} {share:4.2f} {c['partial']:7d} "
            f"{c['answered']:8d}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
