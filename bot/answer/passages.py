"""The retrieved passages' sentences, split, filtered, parsed and embedded once per question.

The first half of the evidence stage (:mod:`bot.answer.evidence` measures the windows): every
sentence of every hit with its exact span in the article (``hit.start`` + its offset in the
passage, sentences by syntok, see :mod:`bot.answer.sentences`), sentences that instruct an
assistant dropped (:func:`bot.answer.untrusted.is_instruction`: never evidence), the rest parsed
with spaCy in one ``nlp.pipe`` batch while one ``encode`` batch embeds them on another thread.
Sentences repeated by overlapping chunks are parsed and embedded once. Given the question's
anchors (:mod:`bot.answer.anchors`), only the sentences that name one and their window neighbours
are kept: the others are neither parsed nor embedded, and windows are built around the sentences
that name an anchor.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from bot.answer.anchors import anchored, with_neighbours
from bot.answer.cache import PassageCache
from bot.answer.untrusted import is_instruction

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from retrieval.types import Hit

Encode = Callable[[Sequence[str]], np.ndarray]

# How many sentences either side of a sentence its window takes.
NEIGHBOURS = 1
# Two sentences of one article with at most this many characters between them (the whitespace
# a chunk boundary or a paragraph break leaves) follow each other in it, whichever retrieved
# passages they came from.
ADJACENT_GAP = 4


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage: ``article_text[start:end] == text``."""

    article_id: str
    title: str
    start: int
    end: int
    text: str
    rank: int  # the rank of the hit it came from (0 = best)
    index: int = 0  # its place among the passage's sentences (instructions left out)


@dataclass(frozen=True, eq=False)
class Passages:
    """The hits' sentences, parsed and embedded once per question (shared by its parts)."""

    hits: tuple[Hit, ...]
    sentences: tuple[tuple[Sentence, ...], ...]  # per hit, in passage order
    docs: tuple[tuple[Doc, ...], ...]  # per hit, one Doc per sentence
    vectors: tuple[np.ndarray, ...]  # per hit, one normalised row per sentence
    dropped: tuple[Sentence, ...] = ()  # sentences that instruct an assistant
    # Per hit, per sentence kept: a window is built around it (it names one of the question's
    # anchors; the others kept are its neighbours). Empty: every sentence is kept and a centre.
    centres: tuple[tuple[bool, ...], ...] = ()
    skipped: int = 0  # sentences neither parsed nor embedded (they name no anchor, nor border one)
    # Per hit, its title's parse (HTML entities decoded; None when the title reads as an
    # instruction): a headline may give the figure its report leaves out ("Ireland 19-13 England").
    title_docs: tuple[Doc | None, ...] = ()


def prepare_passages(
    hits: Sequence[Hit],
    nlp: Language,
    encode: Encode,
    cache: PassageCache | None = None,
    anchors: frozenset[str] | None = None,
) -> Passages:
    """Split, filter, parse and embed the hits' sentences (one spaCy and one encoder batch).

    ``cache`` (the core's) keeps each chunk's sentences and each sentence's parse between
    questions; without one, everything is computed here. Either way the result is the same.
    ``anchors`` (:func:`bot.answer.anchors.question_anchors`): keep only the sentences that name
    one and their ``NEIGHBOURS``; ``None`` keeps every sentence."""
    cache = cache if cache is not None else PassageCache()
    per_hit: list[list[Sentence]] = []
    centres: list[tuple[bool, ...]] = []
    dropped: list[Sentence] = []
    skipped = 0
    for rank, hit in enumerate(hits):
        kept: list[Sentence] = []
        for s, e, instruction in cache.sentences(hit):
            sent = Sentence(
                hit.article_id, hit.title, hit.start + s, hit.start + e, hit.text[s:e], rank
            )
            if instruction:
                dropped.append(sent)
            else:
                kept.append(replace(sent, index=len(kept)))
        named = anchored([s.text for s in kept], anchors)
        near = with_neighbours(named, NEIGHBOURS)
        skipped += near.count(False)
        per_hit.append([s for s, keep in zip(kept, near, strict=True) if keep])
        centres.append(tuple(c for c, keep in zip(named, near, strict=True) if keep))
    unique = sorted({s.text for sents in per_hit for s in sents})
    index = {text: i for i, text in enumerate(unique)}
    if unique:
        docs, encoded = cache.parse_and_encode(unique, nlp, encode)
        vectors = np.asarray(encoded, dtype=np.float32)
    else:
        docs, vectors = [], np.zeros((0, 1), dtype=np.float32)
    titles = [html.unescape(hit.title).strip() for hit in hits]
    readable = [t for t in dict.fromkeys(titles) if t and not is_instruction(t)]
    title_doc = dict(zip(readable, cache.parse(readable, nlp), strict=True)) if readable else {}
    return Passages(
        title_docs=tuple(title_doc.get(t) for t in titles),
        hits=tuple(hits),
        sentences=tuple(tuple(sents) for sents in per_hit),
        docs=tuple(tuple(docs[index[s.text]] for s in sents) for sents in per_hit),
        vectors=tuple(
            vectors[[index[s.text] for s in sents]]
            if sents
            else np.zeros((0, vectors.shape[1]), dtype=np.float32)
            for sents in per_hit
        ),
        dropped=tuple(dropped),
        centres=tuple(centres),
        skipped=skipped,
    )


Place = tuple[int, int]  # (hit, sentence) in Passages.sentences


def window_text(passages: Passages, article_id: str, spans: Sequence[tuple[int, int]]) -> str:
    """A window's text: its sentences (article ``spans`` of ``article_id``) as retrieved, joined
    in article order; a span no passage holds is left out."""
    wanted = set(spans)
    texts: dict[tuple[int, int], str] = {}
    for sents in passages.sentences:
        for s in sents:
            if s.article_id == article_id and (s.start, s.end) in wanted:
                texts[(s.start, s.end)] = s.text
    return " ".join(texts[span] for span in sorted(texts))


def window_places(passages: Passages, h: int, i: int) -> list[Place]:
    """Sentence ``i`` of hit ``h`` and those within ``NEIGHBOURS`` of it in the article, in
    article order: its passage's neighbours (:func:`window_bounds`), and where the passage ends
    first, the sentences that follow on in another retrieved passage of the same article. A
    chunk boundary says nothing about the article ("she is seeking $25m" opens the chunk after
    the one that names Marion Jones), so a window does not stop at one; a sentence that was not
    retrieved, or was dropped, is never bridged (the next one is then not adjacent)."""
    sents = passages.sentences[h]
    lo, hi = window_bounds(sents, i)
    places = [(h, j) for j in range(lo, hi)]
    before = i - lo
    after = hi - 1 - i
    while before < NEIGHBOURS and (prev := adjacent(passages, places[0], -1)) is not None:
        places.insert(0, prev)
        before += 1
    while after < NEIGHBOURS and (nxt := adjacent(passages, places[-1], +1)) is not None:
        places.append(nxt)
        after += 1
    return places


def adjacent(passages: Passages, place: Place, step: int) -> Place | None:
    """The retrieved sentence just before (``step`` -1) or after (+1) the one at ``place`` in its
    article, from the best-ranked passage that holds it; ``None`` when none was retrieved."""
    h, j = place
    sents = passages.sentences[h]
    if 0 <= j + step < len(sents):
        # Inside a passage: its next sentence, unless one was left out between them.
        return (h, j + step) if abs(sents[j + step].index - sents[j].index) == 1 else None
    here = sents[j]
    for h2, others in enumerate(passages.sentences):
        if h2 == h or not others or others[0].article_id != here.article_id:
            continue
        for j2, s in enumerate(others):
            gap = here.start - s.end if step < 0 else s.start - here.end
            if 0 <= gap <= ADJACENT_GAP:
                return (h2, j2)
    return None


def window_bounds(sents: Sequence[Sentence], i: int) -> tuple[int, int]:
    """``sents[lo:hi]``: sentence ``i`` and those within ``NEIGHBOURS`` of it in the passage (by
    their place in it: a sentence left out is never bridged)."""
    lo, hi = i, i + 1
    while lo > 0 and sents[lo - 1].index >= sents[i].index - NEIGHBOURS:
        lo -= 1
    while hi < len(sents) and sents[hi].index <= sents[i].index + NEIGHBOURS:
        hi += 1
    return lo, hi
