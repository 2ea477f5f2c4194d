"""How many must-mention phrases of our training questions appear in a gold article's title but
not in its body (the figure behind ``bot.generators.extractive.candidates._title_rows``).

    python training/title_figures.py [--corpus ../shared/eval/bbc/corpus.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING = sorted((ROOT / "training").glob("questions_*.jsonl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/eval/bbc/corpus.jsonl"))
    args = parser.parse_args(argv)
    corpus = {}
    with open(args.corpus, encoding="utf-8") as fh:
        for line in fh:
            article = json.loads(line)
            corpus[article["id"]] = article
    phrases = 0
    title_only: list[tuple[str, str]] = []
    for path in TRAINING:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if not record.get("answerable"):
                continue
            gold = [corpus[a] for a in record["article_ids"]]
            for phrase in record["must_mention"]:
                phrases += 1
                low = phrase.lower()
                in_body = any(low in a["body"].lower() for a in gold)
                if not in_body and any(low in a["title"].lower() for a in gold):
                    title_only.append((phrase, record["question"]))
    print(f"{len(title_only)} of {phrases} must-mention phrases only in a gold title")
    for phrase, question in title_only:
        print(f"  {phrase!r}: {question}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
