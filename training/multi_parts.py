"""Where the parts of compound questions are lost: per part, is a gold article retrieved, among
the part's evidence windows, cited; and why each missed must-mention phrase was missed.

    PYTHONPATH=$PWD python training/multi_parts.py --type multi [--out F.json] [--limit N]

Runs the real ``Answerer`` (the extractive generator) over the BBC store (``data/eval-bbc``) on
our own training questions (``training/questions_*.jsonl``, never the evaluation sets) of one
type. Each must-mention phrase belongs to the gold article(s) that contain it; with as many
phrases as parts, phrase i belongs to part i (the question files write them in question order).
A missed phrase is put in the first class that explains it:

* ``split``: a multi question analysed as one part;
* ``not_retrieved``: no retrieved passage holds the phrase (nor, for a paraphrase, its article);
* ``not_selected``: retrieved, but its article is not cited;
* ``budget``: its article is cited and the part's own selection, given the whole word budget,
  would have quoted the phrase;
* ``wrong_sentence``: its article is cited, another sentence of it was quoted.

Cited sentences from a non-gold article are counted separately (``wrong_article``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def _questions(kind: str, limit: int | None) -> list[dict[str, Any]]:
    records = []
    for path in sorted((ROOT / "training").glob("questions_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("type") == kind:
                    records.append(record)
    return records[:limit] if limit else records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--type", default="multi", choices=["multi", "single"])
    parser.add_argument("--corpus", type=Path, default=ROOT / "../shared/eval/bbc/corpus.jsonl")
    parser.add_argument("--store", type=Path, default=ROOT / "data/eval-bbc")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    from bot.core import Answerer
    from bot.eval.answers import _fold, citation_support, mention_coverage
    from bot.eval.data import load_duplicates
    from bot.generators.extractive import asked_parts
    from bot.settings import Settings
    from bot.types import number_sources
    from retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": args.store, "chroma_host": None})
    kb = KnowledgeBase(config)
    kb.ingest(args.corpus)
    answerer = Answerer(kb, kb.embeddings, settings)
    duplicates = load_duplicates(ROOT / "../shared/eval/bbc/duplicates.json")
    texts: dict[str, str] = {}
    for line in args.corpus.read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            texts[str(doc["id"])] = _fold(f"{doc.get('title', '')} {doc.get('body', '')}")

    k = settings.retrieval.k
    per_part_k = max(1, -(-k // 2))
    classes: Counter[str] = Counter()
    rows = []
    coverage_sum = supported_sum = cited_sum = 0.0
    for q in _questions(args.type, args.limit):
        answer = answerer.answer(q["question"])
        phrases = [str(p) for p in q["must_mention"]]
        gold = [str(a) for a in q["article_ids"]]
        accepted = {a: duplicates.get(a, {a}) for a in gold}
        coverage, found, _ = (
            mention_coverage(answer.text, phrases) if answer.status == "answered" else (0, [], [])
        )
        supported, cited = citation_support(answer, gold, duplicates)
        coverage_sum += coverage
        supported_sum += supported
        cited_sum += cited
        judgement = answer.judgement
        parts = [p.query for p in judgement.analysis.parts] if judgement else [q["question"]]
        hit_articles = {h.article_id for h in answer.hits}
        hit_text = _fold(" ".join(h.text for h in answer.hits))
        cited_articles = {c.article_id for c in answer.citations}
        all_gold = set().union(*accepted.values())

        def phrase_gold(
            phrase: str,
            gold: list[str] = gold,
            accepted: dict[str, set[str]] = accepted,
            all_gold: set[str] = all_gold,
        ) -> set[str]:
            """The gold articles (with their duplicates) that hold the phrase."""
            holders = {a for a in gold if _fold(phrase) in texts.get(a, "")}
            return set().union(*(accepted[a] for a in holders)) if holders else all_gold

        part_rows = []
        for i, part in enumerate(parts):
            want = phrase_gold(phrases[i]) if len(phrases) == len(parts) else all_gold
            part_hits = {h.article_id for h in kb.search(part, k=per_part_k, mode="hybrid")}
            windows = judgement.evidence[i].windows if judgement else ()
            part_rows.append(
                {
                    "part": part,
                    "gold_in_part_hits": bool(want & part_hits),
                    "gold_in_hits": bool(want & hit_articles),
                    "gold_in_windows": bool(want & {w.article_id for w in windows}),
                    "gold_top_window": bool(windows and windows[0].article_id in want),
                    "gold_cited": bool(want & cited_articles),
                    "answered": bool(judgement and judgement.decision.parts[i].answer),
                }
            )

        # The part selections with the whole word budget: would they quote the phrase?
        whole_budget = ""
        if answer.status == "answered" and judgement:
            gen = answerer.extractive
            sources = number_sources(list(answer.hits))
            asked = asked_parts(judgement.analysis)
            for part_asked in asked:
                chosen = gen._select(part_asked, sources, gen.max_words, 6)
                whole_budget += " " + " ".join(s.candidate.text for s in chosen)
        whole_budget = _fold(whole_budget)

        missed = []
        for phrase in phrases:
            if phrase in found:
                continue
            want = phrase_gold(phrase)
            if args.type == "multi" and len(parts) < 2:
                why = "split"
            elif _fold(phrase) not in hit_text and not (want & hit_articles):
                why = "not_retrieved"
            elif _fold(phrase) not in hit_text:
                why = "paraphrase_not_in_passages"
            elif answer.status != "answered":
                why = "abstained"
            elif not (want & cited_articles):
                why = "not_selected"
            elif _fold(phrase) in whole_budget:
                why = "budget"
            else:
                why = "wrong_sentence"
            classes[why] += 1
            missed.append({"phrase": phrase, "why": why})
        wrong = cited - supported
        classes["wrong_article_sentences"] += wrong
        rows.append(
            {
                "question": q["question"],
                "status": answer.status,
                "coverage": round(coverage, 3),
                "parts": part_rows,
                "cited": sorted(cited_articles),
                "gold": gold,
                "missed": missed,
                "wrong_article_sentences": wrong,
                "answer": answer.text,
            }
        )
        flags = " ".join(
            f"[{'R' if p['gold_in_part_hits'] else 'r'}{'W' if p['gold_in_windows'] else 'w'}"
            f"{'C' if p['gold_cited'] else 'c'}]"
            for p in part_rows
        )
        print(f"{coverage:.2f} {flags} {q['question'][:90]}", flush=True)
        for m in missed:
            print(f"      miss {m['why']}: {m['phrase']}", flush=True)

    n = len(rows) or 1
    summary = {
        "type": args.type,
        "questions": len(rows),
        "coverage": round(coverage_sum / n, 4),
        "citation_support": round(supported_sum / cited_sum, 4) if cited_sum else None,
        "split_into_parts": sum(1 for r in rows if len(r["parts"]) > 1),
        "parts": sum(len(r["parts"]) for r in rows),
        "parts_gold_in_part_hits": sum(p["gold_in_part_hits"] for r in rows for p in r["parts"]),
        "parts_gold_in_windows": sum(p["gold_in_windows"] for r in rows for p in r["parts"]),
        "parts_gold_cited": sum(p["gold_cited"] for r in rows for p in r["parts"]),
        "misses": dict(classes),
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
