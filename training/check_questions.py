"""Check a training question file against the BBC corpus before it is used for fitting.

    python training/check_questions.py training/questions.jsonl \
        --corpus ../shared/eval/bbc/corpus.jsonl --dev ../shared/eval/bbc/questions_dev.jsonl

Rules (the same ones the dev set was written by, see ../shared/eval/README.md):
- fields: question, answerable, article_ids, must_mention, type (single | multi | unanswerable),
  and for unanswerable questions ``near`` (the article ids whose people or event the question is
  about, which do not contain the asked fact) and ``why`` (what is missing);
- every article id exists in the corpus;
- single: every must_mention phrase appears verbatim (ignoring case) in one of the articles;
  multi: at least two articles, and each article supplies a phrase the others lack;
- unanswerable: article_ids and must_mention are empty; a compound one whose first parts the
  corpus does answer lists them in ``answered_parts`` (part indices in question order) with
  ``answered_mentions``, phrases of those answers found in a ``near`` article;
- no question repeats another, or a dev question; no training article is a dev gold article
  (dev is a test set: nothing fitted may have seen its articles).
Exits 1 and lists every problem when a rule is broken.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(a, b)
    return " ".join(text.split())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--dev", type=Path)
    args = parser.parse_args()

    corpus = {}
    with args.corpus.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            corpus[record["id"]] = fold(record["title"] + "\n" + record["body"])
    dev_questions: set[str] = set()
    dev_articles: set[str] = set()
    if args.dev:
        for line in args.dev.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            dev_questions.add(fold(record["question"]))
            dev_articles.update(record.get("article_ids", []))

    problems: list[str] = []
    seen: set[str] = set()
    types: Counter[str] = Counter()
    for path in args.questions:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                q = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc})")
                continue
            kind = q.get("type")
            types[kind] += 1
            text = fold(str(q.get("question", "")))
            if text in seen or text in dev_questions:
                problems.append(f"{where}: repeated question")
            seen.add(text)
            ids = q.get("article_ids", [])
            phrases = q.get("must_mention", [])
            if kind not in ("single", "multi", "unanswerable"):
                problems.append(f"{where}: type {kind!r}")
                continue
            if q.get("answerable") is not (kind != "unanswerable"):
                problems.append(f"{where}: answerable does not match type")
            for aid in [*ids, *q.get("near", [])]:
                if aid not in corpus:
                    problems.append(f"{where}: unknown article {aid!r}")
                elif aid in dev_articles:
                    problems.append(f"{where}: {aid} is a dev gold article")
            if kind == "unanswerable":
                if ids or phrases:
                    problems.append(f"{where}: unanswerable needs empty article_ids/must_mention")
                if not q.get("near") or not q.get("why"):
                    problems.append(f"{where}: unanswerable needs 'near' and 'why'")
                answered = q.get("answered_parts", [])
                if answered:
                    if not all(isinstance(i, int) and i >= 0 for i in answered):
                        problems.append(f"{where}: answered_parts must be part indices")
                    near_texts = [corpus.get(a, "") for a in q.get("near", [])]
                    mentions = q.get("answered_mentions", [])
                    if not mentions:
                        problems.append(f"{where}: answered_parts needs answered_mentions")
                    for phrase in mentions:
                        if not any(fold(phrase) in t for t in near_texts):
                            problems.append(f"{where}: {phrase!r} not in {q.get('near')}")
                continue
            if not phrases:
                problems.append(f"{where}: no must_mention phrases")
            texts = [corpus.get(a, "") for a in ids]
            for phrase in phrases:
                if not any(fold(phrase) in t for t in texts):
                    problems.append(f"{where}: {phrase!r} not in {ids}")
            if kind == "single" and len(ids) < 1:
                problems.append(f"{where}: single needs an article")
            if kind == "multi":
                if len(ids) < 2:
                    problems.append(f"{where}: multi needs two articles")
                for i, t in enumerate(texts):
                    others = [o for j, o in enumerate(texts) if j != i]
                    if not any(
                        fold(p) in t and not any(fold(p) in o for o in others) for p in phrases
                    ):
                        problems.append(f"{where}: {ids[i]} supplies no phrase of its own")
    for problem in problems:
        print(problem)
    print(f"{sum(types.values())} questions: {dict(types)}; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
