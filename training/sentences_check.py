"""Check sentences_gold.jsonl against the BBC corpus (stdlib only). Exits 1 on any problem.

    python training/sentences_check.py [training/sentences_gold.jsonl] [--corpus ...]

Per line: article exists; body[start:end] is a whole paragraph ("\\n\\n" or the body edge on each
side, no "\\n\\n" inside); sentence_starts sorted, unique, inside [start, end), first == start; each
start is a non-space character preceded by whitespace (or the body start); no duplicate paragraphs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1] / "shared/eval/bbc/corpus.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold", nargs="?", type=Path, default=HERE / "sentences_gold.jsonl")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()
    bodies = {}
    with args.corpus.open(encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            bodies[a["id"]] = a["body"]
    problems, seen = [], set()
    n_par = n_sent = n_hard = 0
    kinds = Counter()
    for ln, line in enumerate(args.gold.open(encoding="utf-8"), 1):
        r = json.loads(line)
        aid, s, e, ss = r["article_id"], r["start"], r["end"], r["sentence_starts"]
        where = f"line {ln} ({aid}:{s})"
        b = bodies.get(aid)
        if b is None:
            problems.append(f"{where}: unknown article")
            continue
        if (aid, s) in seen:
            problems.append(f"{where}: duplicate paragraph")
        seen.add((aid, s))
        if not (0 <= s < e <= len(b)):
            problems.append(f"{where}: bad span")
            continue
        if (
            not (s == 0 or b[s - 2 : s] == "\n\n")
            or not (e == len(b) or b[e : e + 2] == "\n\n")
            or "\n\n" in b[s:e]
        ):
            problems.append(f"{where}: span is not a whole paragraph")
        if not ss or ss[0] != s:
            problems.append(f"{where}: first sentence start != start")
        if ss != sorted(set(ss)):
            problems.append(f"{where}: sentence_starts not sorted/unique")
        for p in ss:
            if not (s <= p < e):
                problems.append(f"{where}: start {p} outside span")
            elif b[p].isspace() or (p > 0 and not b[p - 1].isspace()):
                problems.append(f"{where}: start {p} not at a word start after whitespace")
        n_par += 1
        n_sent += len(ss)
        kind = r.get("kind", "")
        n_hard += kind.startswith("hard")
        kinds[kind.split(":")[0] or "?"] += 1
    print(
        f"paragraphs: {n_par}  sentences: {n_sent}  hard-case paragraphs: {n_hard}  "
        f"random paragraphs: {kinds['random']}  articles: {len({a for a, _ in seen})}"
    )
    print(f"problems: {len(problems)}")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
