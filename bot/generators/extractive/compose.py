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

from bot.answer.speakers import quotation_ends

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


# Sentences of one quotation follow each other in the article, separated by at most a space
# or a paragraph break; a quotation longer than this many sentences is left as it is.
_QUOTATION_GAP = 2
_MAX_QUOTATION = 4


class Quotations:
    """Which candidate sentences belong together because a double quotation runs across them:
    a sentence that leaves one open ('"We had the initiative but it wasn't easy.') and the next
    ones of its article up to the one that closes it ('It was a professional sort of
    performance," the Dutchman said.', which also says who spoke). Quoted apart, an answer would
    show a quotation mark without its partner, or words without whose they are."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self._article: dict[str, list[Candidate]] = {}
        for c in candidates:
            if not c.title:
                self._article.setdefault(c.article_id, []).append(c)
        self._at: dict[tuple[str, int], int] = {}
        for sentences in self._article.values():
            sentences.sort(key=lambda c: c.position)
            for i, c in enumerate(sentences):
                self._at[key_of(c)] = i
        self._groups: dict[tuple[str, int], list[Candidate]] = {}

    def _neighbour(self, c: Candidate, step: int) -> Candidate | None:
        at = self._at.get(key_of(c))
        sentences = self._article.get(c.article_id, [])
        if at is None or not 0 <= at + step < len(sentences):
            return None
        other = sentences[at + step]
        first, second = (c, other) if step > 0 else (other, c)
        gap = second.position - (first.position + len(first.text))
        return other if 0 <= gap <= _QUOTATION_GAP else None

    def group(self, c: Candidate) -> list[Candidate]:
        """``c`` with the sentences completing the quotations it leaves open, in article order
        (``[c]`` when it leaves none open, or their other sentences were not retrieved)."""
        found = self._groups.get(key_of(c))
        if found is not None:
            return found
        group = [c]
        while len(group) < _MAX_QUOTATION and quotation_ends(group[0].text)[0]:
            before = self._neighbour(group[0], -1)
            if before is None:
                break
            group.insert(0, before)
        while len(group) < _MAX_QUOTATION and quotation_ends(group[-1].text)[1]:
            after = self._neighbour(group[-1], 1)
            if after is None:
                break
            group.append(after)
        self._groups[key_of(c)] = group
        return group


def key_of(c: Candidate) -> tuple[str, int]:
    return (c.article_id, c.position)


def complete_quotations(
    chosen: list[Scored],
    candidates: Sequence[Candidate],
    max_words: int,
    required: Sequence[tuple[str, int, int]] = (),
) -> list[Scored]:
    """``chosen`` with every quotation a chosen sentence leaves open completed
    (:class:`Quotations`). The selection already chooses whole quotations; this catches those
    that the required sentences and the parts' turns (:func:`with_required`,
    :func:`take_turns`) split. A sentence and the ones that complete it stand or fall together:
    strongest first (required ones before all), each kept while the answer stays within
    ``max_words``; the strongest is always kept."""
    from bot.generators.extractive.candidates import Scored

    quotations = Quotations(candidates)
    have = {key_of(s.candidate): s for s in chosen}
    needed = {
        key_of(s.candidate)
        for s in chosen
        if any(_within(s.candidate, a, start, end) for a, start, end in required)
    }
    order = sorted(chosen, key=lambda s: (key_of(s.candidate) not in needed, -s.score))
    out: list[Scored] = []
    taken: set[tuple[str, int]] = set()
    used = 0
    for s in order:
        if key_of(s.candidate) in taken:
            continue
        group = [c for c in quotations.group(s.candidate) if key_of(c) not in taken]
        words = sum(word_count(c.text) for c in group)
        if out and used + words > max_words and key_of(s.candidate) not in needed:
            continue
        for c in group:
            out.append(have.get(key_of(c)) or Scored(c, s.score, 0.0, 0.0, 0.0, 0.0, 0.0))
            taken.add(key_of(c))
        used += words
    return reading_order(out)


def _within(cand: Candidate, article: str, start: int, end: int) -> bool:
    return cand.article_id == article and start <= cand.position < end
