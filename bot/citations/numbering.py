"""Renumbering: the checked sentences' keys become citation numbers by first use, one per
article, and each number becomes a ``Citation`` quoting the passage sentence that supports it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.citations.support import (
    TITLE_SPAN,
    CheckedSentence,
    CheckResult,
    Evidence,
    join_sentences,
)
from bot.types import Citation, Source


def renumber(
    sentences: Sequence[CheckedSentence],
    group: Mapping[int, str] | None = None,
) -> tuple[list[CheckedSentence], dict[int, int]]:
    """Number sources by first use (1, 2, ...); keys of the same group (article) share a number.

    Returns the sentences with their keys rewritten, and ``{old key: new number}`` for the keys
    still cited. Sources no sentence cites get no number, so they are not listed.
    """
    mapping: dict[int, int] = {}
    number_of_group: dict[str, int] = {}
    out: list[CheckedSentence] = []
    for s in sentences:
        new_keys: list[int] = []
        for key in s.keys:
            if key not in mapping:
                g = group.get(key, f"key:{key}") if group is not None else f"key:{key}"
                if g not in number_of_group:
                    number_of_group[g] = len(number_of_group) + 1
                mapping[key] = number_of_group[g]
            new_keys.append(mapping[key])
        evidence = tuple(
            Evidence(mapping[e.key], e.quote, e.start, e.end, e.similarity, e.overlap)
            for e in s.evidence
        )
        out.append(
            CheckedSentence(s.text, tuple(dict.fromkeys(new_keys)), evidence, s.paragraph_end)
        )
    return out, mapping


def build_citations(result: CheckResult, sources: Sequence[Source]) -> tuple[str, list[Citation]]:
    """Renumber the checked sentences by first use (one number per article) and cite each source.

    A citation quotes the passage sentence that supports the first claim citing it, with its span
    in the article body (the passage's ``start`` plus the sentence's offset in the passage). A
    claim that quotes the title (``TITLE_SPAN``) gives the quote only when no claim quotes the
    body; its span is then ``(-1, -1)``: the title is not in the body.
    """
    by_key = {s.key: s.hit for s in sources}
    group = {key: hit.article_id for key, hit in by_key.items()}
    renumbered, mapping = renumber(result.sentences, group)
    citations: dict[int, Citation] = {}
    evidence = [ev for sentence in result.sentences for ev in sentence.evidence]
    body_first = [ev for ev in evidence if (ev.start, ev.end) != TITLE_SPAN] + [
        ev for ev in evidence if (ev.start, ev.end) == TITLE_SPAN
    ]
    for ev in body_first:
        number = mapping[ev.key]
        if number in citations:
            continue
        hit = by_key[ev.key]
        title = (ev.start, ev.end) == TITLE_SPAN
        citations[number] = Citation(
            number=number,
            article_id=hit.article_id,
            title=hit.title,
            source=hit.source,
            url=hit.url,
            published_at=hit.published_at,
            quote=ev.quote,
            chunk_id=hit.chunk_id,
            start=-1 if title else hit.start + ev.start,
            end=-1 if title else hit.start + ev.end,
        )
    return join_sentences(renumbered), [citations[n] for n in sorted(citations)]
