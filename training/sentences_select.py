"""Deterministic choice of paragraphs for the sentence-boundary gold set (stdlib only).

    python training/sentences_select.py [--corpus ../shared/eval/bbc/corpus.jsonl]

Prints one JSON line per chosen paragraph: article_id, start, end, kind (random | hard:<pattern>),
and the candidate sentence starts (offsets after . ? ! ... plus closing quotes/brackets and
whitespace, and after in-paragraph line breaks). Candidates are only positions to be judged by
a human; the judged boundaries live in sentences_decisions.json. No corpus text is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/eval/bbc/corpus.jsonl"
SEED = 7
N_RANDOM_PER_CATEGORY = 24  # 5 categories -> 120
N_HARD_PER_PATTERN = 10  # 12 patterns -> 120
MAX_LEN = 1000  # keep paragraphs short enough to judge by hand

HARD_PATTERNS = [
    (
        "abbrev_title",
        r"\b(?:Mr|Dr|St|Mrs|Ms|Prof|Gen|No|Co|Inc|Ltd|Corp|Jr|Sr|Rev|Lt|Col|Capt|Gov|Sen|vs|etc|Nos?)\.(?=\s|$)",
    ),
    ("acronym_dots", r"\b(?:[A-Za-z]\.){2,}"),
    ("initials", r"\b[A-Z]\.\s?(?:[A-Z]\.\s?)*[A-Z][a-z]+"),
    ("decimal_money", r"[£$€]?\d+\.\d+\s?(?:%|bn|m\b|p\b)?"),
    (
        "quote_attribution",
        r"[,.?!][\"\u201d\u2019']\s+(?:he|she|they|it|[A-Z][a-z]+)\s+(?:said|says|added|told|explained|insisted|warned)",
    ),
    ("quote_new_sentence", r"[.?!][\"\u201d']\s+(?!(?:he|she|they|said|says|added|told)\b)[A-Z\"]"),
    ("ellipsis", r"\.\.\.|\u2026"),
    ("bracket_end", r"[.?!]\)|\)\.(?=\s+[A-Z])"),
    ("question_exclamation", r"[?!]"),
    (
        "web_time",
        r"\b(?:www\.|[a-z0-9-]+\.(?:co\.uk|com|org|net|gov\.uk)\b)|\b\d{1,2}[.:]\d{2}\s?(?:am|pm)\b",
    ),
    ("list_line_break", r"\n"),
    ("fragment_no_final_punct", r"[^.?!\"\u201d')\s]\s*$"),
]

# question + attribution, company abbreviations, single initials, sentence ending ".)"
RARE_PATTERN = (
    r"\?[\"\u201d]\s+(?:he|she|said|asked|asks)\b|\b(?:Inc|Co|Ltd|Corp)\.|"
    r"\b[A-Z]\.\s+[A-Z][a-z]|\.\)\s+[A-Z]"
)


def paragraphs(body: str):
    pos = 0
    for piece in body.split("\n\n"):
        yield pos, pos + len(piece), piece
        pos += len(piece) + 2


CAND = re.compile(r"[.?!\u2026][\"'\u201d\u2019)\]]*\s+(?=\S)|\n\s*(?=\S)")


def candidates(body: str, start: int, end: int) -> list[int]:
    text = body[start:end]
    return [start + m.end() for m in CAND.finditer(text) if start + m.end() < end]


def load(corpus: Path):
    return [json.loads(line) for line in corpus.open(encoding="utf-8")]


def select(arts):
    pool = []  # (article_id, category, start, end, text)
    for a in arts:
        for s, e, p in paragraphs(a["body"]):
            if p and p == p.strip() and len(p) <= MAX_LEN:
                pool.append((a["id"], a["category"], s, e, p))
    rng = random.Random(SEED)
    chosen, seen, texts = [], set(), set()  # texts: the corpus repeats some paragraphs verbatim
    for cat in sorted({x[1] for x in pool}):
        items = [x for x in pool if x[1] == cat]
        for x in rng.sample(items, N_RANDOM_PER_CATEGORY):
            seen.add((x[0], x[2]))
            texts.add(x[4])
            chosen.append((x, "random"))
    for name, pat in HARD_PATTERNS:
        rx = re.compile(pat)
        items = [x for x in pool if rx.search(x[4]) and (x[0], x[2]) not in seen]
        rng.shuffle(items)
        items = [x for x in items if x[4] not in texts]
        for x in items[:N_HARD_PER_PATTERN]:
            seen.add((x[0], x[2]))
            texts.add(x[4])
            chosen.append((x, "hard:" + name))
    # top up to the hard total from paragraphs matching any pattern (some patterns are rare)
    n_hard = N_HARD_PER_PATTERN * len(HARD_PATTERNS)
    have = sum(k != "random" for _x, k in chosen)
    if have < n_hard:
        rxs = [(n, re.compile(p)) for n, p in HARD_PATTERNS]
        items = [
            x
            for x in pool
            if (x[0], x[2]) not in seen and sum(1 for _n, r in rxs if r.search(x[4])) >= 3
        ]
        rng.shuffle(items)
        items = [x for x in items if x[4] not in texts]
        for x in items[: n_hard - have]:
            seen.add((x[0], x[2]))
            texts.add(x[4])
            names = "+".join(n for n, r in rxs if r.search(x[4]))
            chosen.append((x, "hard:" + names))
    # a last, targeted group for patterns that are rare in this corpus
    rx = re.compile(RARE_PATTERN)
    items = [x for x in pool if rx.search(x[4]) and (x[0], x[2]) not in seen]
    rng.shuffle(items)
    items = [x for x in items if x[4] not in texts]
    for x in items[:N_HARD_PER_PATTERN]:
        seen.add((x[0], x[2]))
        texts.add(x[4])
        chosen.append((x, "hard:rare_question_attribution_or_abbrev_end"))
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()
    arts = load(args.corpus)
    bodies = {a["id"]: a["body"] for a in arts}
    for (aid, _cat, s, e, _p), kind in select(arts):
        print(
            json.dumps(
                {
                    "article_id": aid,
                    "start": s,
                    "end": e,
                    "kind": kind,
                    "candidates": candidates(bodies[aid], s, e),
                }
            )
        )


if __name__ == "__main__":
    main()
