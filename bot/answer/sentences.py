"""Sentence spans of passage text, for the evidence stage: the project's one segmenter
(:func:`retrieval.text.sentence_spans`, where the choice of syntok is explained), as pairs."""

from __future__ import annotations

from retrieval.text import sentence_spans as _spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence: ``text[start:end]`` is the sentence, trimmed of white
    space at both ends. White-space-only text gives no spans."""
    return [(span.start, span.end) for span in _spans(text)]
