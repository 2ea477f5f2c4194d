"""The candidate sentences of the retrieved passages (each once, with its speaker resolved), their
scores, and the weights of the question's words among them."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer.untrusted import is_instruction
from bot.generators.extractive.speakers import (
    Person,
    find_mentions,
    has_quote,
    learn_roles,
    person_named,
    resolve_role,
    salient_person,
    speaker_mention,
    speech_text,
)
from retrieval.text import content_terms, sentence_spans, term_in

if TYPE_CHECKING:
    from bot.types import Source


@dataclass(slots=True)
class Candidate:
    """A sentence of a retrieved passage."""

    text: str
    key: int  # source key of the passage it was taken from
    article_id: str
    article_rank: int  # order of the article's first hit
    position: int  # offset in the article body (Hit.start + offset in the chunk)
    hit_rank: int
    speaker: Person | None = None
    quoted: bool = False
    reported: bool = False
    terms: frozenset[str] = frozenset()
    # Content words of what is reported as said (quotes, the clause after "said"): for "what did
    # X say about Y", Y must be in the speech, not in the narrative around it.
    speech_terms: frozenset[str] = frozenset()


def _looks_complete_start(text: str) -> bool:
    ch = text[0]
    return ch.isupper() or ch.isdigit() or ch in "\"“‘'(£$€"


def _looks_complete_end(text: str) -> bool:
    return text.rstrip()[-1] in ".!?\"”’')…:"


class CandidateCache:
    """``candidates_from``, remembered for the last few source lists (one answer scores the same
    passages several times: abstention, selection, each part of a compound question).

    Owned by the generator that uses it; thread-safe (Slack handlers may answer concurrently).
    """

    def __init__(self, max_items: int = 16) -> None:
        self._max = max_items
        self._cache: OrderedDict[tuple[tuple[int, str, int], ...], list[Candidate]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sources: Sequence[Source]) -> list[Candidate]:
        key = tuple((s.key, s.hit.chunk_id, len(s.hit.text)) for s in sources)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        made = candidates_from(sources)
        with self._lock:
            self._cache[key] = made
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return made


def candidates_from(sources: Sequence[Source]) -> list[Candidate]:
    """Every whole sentence of the passages once, in article order, with speakers resolved."""
    by_article: dict[str, list[tuple[int, int, str, int, int]]] = {}
    article_rank: dict[str, int] = {}
    titles: dict[str, str] = {}
    for rank, src in enumerate(sources):
        hit = src.hit
        article_rank.setdefault(hit.article_id, len(article_rank))
        titles.setdefault(hit.article_id, hit.title)
        spans = sentence_spans(hit.text)
        for i, span in enumerate(spans):
            text = hit.text[span.start : span.end]
            # A chunk may begin or end mid-sentence; such fragments are skipped (the overlapping
            # neighbour chunk, when retrieved, holds the whole sentence).
            if i == 0 and hit.start > 0 and not _looks_complete_start(text):
                continue
            if i == len(spans) - 1 and not span.paragraph_end and not _looks_complete_end(text):
                continue
            if i == len(spans) - 1 and not _looks_complete_end(text) and len(text) > 200:
                continue
            # Article text is data: a sentence that instructs an assistant or asks the reader to
            # act on a link is never evidence, whatever it says.
            if is_instruction(text):
                continue
            pos = hit.start + span.start
            by_article.setdefault(hit.article_id, []).append(
                (pos, pos + len(text), text, src.key, rank)
            )

    out: list[Candidate] = []
    for article_id, rows in by_article.items():
        rows.sort(key=lambda r: (r[0], -(r[1] - r[0]), r[4]))
        kept: list[tuple[int, int, str, int, int]] = []
        for row in rows:
            # Overlapping chunks repeat sentences: keep one copy (from the best-ranked passage),
            # and drop any piece contained in a sentence already kept.
            same = [k for k in kept if k[0] <= row[0] and row[1] <= k[1]]
            if same:
                continue
            kept.append(row)
        salient = salient_person(titles[article_id], [r[2] for r in kept])
        last_speaker: Person | None = salient
        previous: Person | None = None  # the speaker of the sentence before
        paragraph_speaker: Person | None = None
        roles: dict[str, Person] = {}
        learn_roles(titles[article_id], roles)
        for pos, _end, text, key, rank in kept:
            cand = Candidate(
                text=text,
                key=key,
                article_id=article_id,
                article_rank=article_rank[article_id],
                position=pos,
                hit_rank=rank,
                quoted=has_quote(text),
            )
            learn_roles(text, roles)
            mention = speaker_mention(text)
            speaker: Person | None = None
            if mention:
                kind, mtext = mention
                cand.reported = True
                if kind == "name":
                    speaker = person_named(mtext)
                    if speaker:
                        last_speaker = speaker
                elif kind == "role":
                    # "the Foreign Secretary said": a role seen with a name, else whoever spoke
                    # just before, else the article's main person.
                    speaker = resolve_role(mtext, roles) or previous or salient
                elif mtext.lower() in ("it", "they"):
                    speaker = last_speaker
                else:
                    speaker = previous or salient
            elif cand.quoted and text.lstrip()[0] in '"“':
                # A quotation with no attribution of its own continues the last speaker's words.
                speaker = paragraph_speaker or last_speaker
            elif cand.quoted:
                # 'Mr Mallon provoked fury by branding the campaign "two-bit Tories"': the
                # sentence's subject is the one quoted.
                names = [m for m in find_mentions(text) if m[2] == "name"]
                if names and names[0][0] <= 3:
                    speaker = person_named(names[0][3])
                    cand.reported = speaker is not None
            cand.speaker = speaker
            previous = speaker
            if speaker:
                paragraph_speaker = speaker
            cand.terms = frozenset(content_terms(text))
            cand.speech_terms = frozenset(content_terms(speech_text(text)))
            out.append(cand)
    return out


@dataclass(frozen=True, slots=True)
class Scored:
    candidate: Candidate
    score: float
    similarity: float
    keywords: float
    attribution: float
    answer_type: float = 0.0
    context: float = 0.0


def term_weights(question_terms: list[str], candidates: Sequence[Candidate]) -> dict[str, float]:
    """IDF of each question word among the retrieved sentences (rare there = informative)."""
    n = len(candidates)
    weights: dict[str, float] = {}
    for term in dict.fromkeys(question_terms):
        df = sum(1 for c in candidates if term_in(term, c.terms))
        weights[term] = math.log(1.0 + (n + 1) / (df + 1))
    return weights
