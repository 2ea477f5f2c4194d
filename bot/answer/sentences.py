"""Sentence spans of passage text, for the evidence stage.

syntok was chosen on the hand-made gold set (``training/sentences_gold.jsonl``, compared by
``bench/segmenters.py``): close to spaCy's accuracy at about ten times its speed, and the evidence
stage segments every retrieved passage of every question.
"""

from __future__ import annotations


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence: ``text[start:end]`` is the sentence, trimmed of white
    space at both ends. White-space-only text gives no spans."""
    from syntok import segmenter

    spans: list[tuple[int, int]] = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            if not sentence:
                continue
            # syntok's token offsets point at the token's value; its ``spacing`` precedes it.
            start = sentence[0].offset
            last = sentence[-1]
            end = last.offset + len(last.value)
            if end > start and text[start:end].strip():
                spans.append((start, end))
    return spans
