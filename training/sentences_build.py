"""Write sentences_gold.jsonl from the paragraph choice and the hand-made decisions (stdlib only).

    python training/sentences_build.py [--corpus ../shared/eval/bbc/corpus.jsonl]

sentences_select.py picks the paragraphs and lists candidate sentence starts (every position after
. ? ! ... and closing quotes/brackets + whitespace, and after in-paragraph line breaks). Each
candidate was read and judged by hand; sentences_decisions.json records, per "article_id:start",
the candidates that are NOT boundaries and any boundaries that are not candidates (missing full
stop, heading run into the next sentence). No segmenter was used.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import sentences_select as sel

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=sel.DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=HERE / "sentences_gold.jsonl")
    args = ap.parse_args()
    arts = sel.load(args.corpus)
    bodies = {a["id"]: a["body"] for a in arts}
    decisions = json.loads((HERE / "sentences_decisions.json").read_text(encoding="utf-8"))
    chosen = sel.select(arts)
    keys = [f"{x[0]}:{x[2]}" for x, _k in chosen]
    assert sorted(keys) == sorted(decisions), "decisions and selection disagree"
    with args.out.open("w", encoding="utf-8") as f:
        for (aid, _cat, s, e, _p), kind in chosen:
            d = decisions[f"{aid}:{s}"]
            cands = set(sel.candidates(bodies[aid], s, e))
            no, extra = set(d["not_boundaries"]), set(d["extra_boundaries"])
            assert no <= cands and not (extra & cands), aid
            starts = sorted({s} | (cands - no) | extra)
            f.write(
                json.dumps(
                    {
                        "article_id": aid,
                        "start": s,
                        "end": e,
                        "sentence_starts": starts,
                        "kind": kind,
                    }
                )
                + "\n"
            )


if __name__ == "__main__":
    main()
