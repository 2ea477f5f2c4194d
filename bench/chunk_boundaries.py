"""How often a chunk boundary cuts an article without overlap (why evidence windows run on
across a boundary, ``bot.answer.passages.window_places``).

    python bench/chunk_boundaries.py [--corpus ../shared/eval/bbc/corpus.jsonl]

Chunks every article of a JSONL corpus (``id``, ``title``, ``body``) with the default chunker
and counts the boundaries where the next chunk starts at or after the previous one's end (no
sentence is in both), and the articles whose lead paragraph is a chunk of its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.chunking import Chunker  # noqa: E402
from retrieval.types import Article  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "../shared/eval/bbc/corpus.jsonl")
    args = parser.parse_args()
    chunker = Chunker()
    articles = chunks = boundaries = apart = lead_alone = 0
    with args.corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            article = Article(id=record["id"], title=record["title"], body=record["body"])
            pieces = chunker.split(article)
            articles += 1
            chunks += len(pieces)
            lead = record["body"].split("\n\n")[0].strip()
            if len(pieces) > 1 and pieces[0].text.strip() == lead:
                lead_alone += 1
            for before, after in pairwise(pieces):
                boundaries += 1
                apart += after.start >= before.end
    print(
        f"{articles} articles, {chunks} chunks; {boundaries} chunk boundaries, "
        f"{apart} ({apart / max(boundaries, 1):.1%}) without overlap; "
        f"{lead_alone} articles ({lead_alone / max(articles, 1):.1%}) with the lead paragraph "
        "as a chunk of its own"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
