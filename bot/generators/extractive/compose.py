"""Composition helpers of the extractive generator: the chosen sentences' reading order, and a
question about several stories answered part by part.

When the decision stage found each part's evidence in another article (``Judgement.part_articles``:
the article of the part's strongest window, which carries every constraint of the part), a part is
answered from that article's passages alone. The generator's own scoring would otherwise answer a
part from whichever article its words favour: on our training multi-article questions the part's
gold article was among its evidence windows for 146 of 152 parts but cited for 110
(``training/multi_parts.py``; figures in the CHANGELOG).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.generators.extractive.candidates import Candidate, Scored
    from bot.types import Source


def reading_order(chosen: list[Scored]) -> list[Scored]:
    """Articles in the order of their best chosen sentence, then by position in the article."""
    first_pick: dict[str, int] = {}
    for i, s in enumerate(sorted(chosen, key=lambda s: -s.score)):
        first_pick.setdefault(s.candidate.article_id, i)
    return sorted(chosen, key=lambda s: (first_pick[s.candidate.article_id], s.candidate.position))


def word_count(text: str) -> int:
    return len(text.split())


def same_words(a: Candidate, b: Candidate) -> bool:
    """Near-duplicates: the same story stored twice, or overlapping chunks."""
    if not a.terms or not b.terms:
        return False
    inter = len(a.terms & b.terms)
    return inter / min(len(a.terms), len(b.terms)) >= 0.85


def sources_by_part(
    sources: Sequence[Source], part_articles: Sequence[str | None], parts: int
) -> list[Sequence[Source]] | None:
    """Each part's sources when the decision placed the parts in different articles: the passages
    of the part's article (all of them for a part it placed nowhere, or whose article has no
    passage here). None when it did not (one article, or parts that do not line up)."""
    if len(part_articles) != parts or len({a for a in part_articles if a}) < 2:
        return None
    out: list[Sequence[Source]] = []
    for article in part_articles:
        own = [s for s in sources if s.hit.article_id == article] if article else []
        out.append(own or sources)
    return out


def take_turns(queues: list[list[Scored]], max_words: int) -> list[Scored]:
    """The parts' sentences, best first, one part after another, so that no part spends the
    budget the others need; near-duplicates and sentences past the budget are skipped."""
    merged: list[Scored] = []
    used = 0
    while any(queues):
        for queue in queues:
            while queue:
                s = queue.pop(0)
                if any(same_words(s.candidate, c.candidate) for c in merged):
                    continue
                if merged and used + word_count(s.candidate.text) > max_words:
                    continue
                merged.append(s)
                used += word_count(s.candidate.text)
                break
    return reading_order(merged)


def with_required(
    chosen: list[Scored],
    candidates: Sequence[Candidate],
    required: Sequence[tuple[str, int, int]],
    max_words: int,
) -> list[Scored]:
    """``chosen`` with each required sentence (article id, start, end in the article) it lacks:
    the weakest chosen sentences that are not required make room within ``max_words``."""
    from bot.generators.extractive.candidates import Scored

    out = list(chosen)
    keep: set[int] = set()  # ids of the Scored that are required
    for article, start, end in required:
        have = next((s for s in out if _within(s.candidate, article, start, end)), None)
        if have is not None:
            keep.add(id(have))
            continue
        cand = next(
            (c for c in candidates if not c.title and _within(c, article, start, end)), None
        )
        if cand is None:
            continue
        floor = min((s.score for s in out), default=0.0)
        added = Scored(cand, floor, 0.0, 0.0, 0.0, 0.0, 0.0)
        need = word_count(cand.text)
        while out and sum(word_count(s.candidate.text) for s in out) + need > max_words:
            spare = [s for s in out if id(s) not in keep]
            if not spare:
                break
            out.remove(min(spare, key=lambda s: s.score))
        out.append(added)
        keep.add(id(added))
    return reading_order(out)


def _within(cand: Candidate, article: str, start: int, end: int) -> bool:
    return cand.article_id == article and start <= cand.position < end
