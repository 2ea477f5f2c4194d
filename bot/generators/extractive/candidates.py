"""The candidate sentences of the retrieved passages (each once, with its speaker resolved), their
scores, and the weights of the question's words among them."""

from __future__ import annotations

import html
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer.anchors import anchored, with_neighbours
from bot.answer.passages import NEIGHBOURS
from bot.answer.question.types import AnswerType
from bot.answer.speakers import (
    Mention,
    Person,
    has_quote,
    learn_roles,
    opening_name,
    person_named,
    quotation_ends,
    resolve_role,
    salient_person,
    speaker_mention,
    speech_text,
)
from bot.answer.untrusted import is_instruction
from bot.answer.values import value_spans
from retrieval.text import content_terms, normalise, sentence_spans, term_in

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from bot.types import Source

# Sentences -> their spaCy Docs, in order (the core's ``PassageCache.parse``: the evidence stage
# parsed these very sentences already, so this is a lookup).
Parse = Callable[[Sequence[str]], list["Doc"]]


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
    # spaCy's named entities of the sentence (text, label), and whether it gives a cause
    # ("because", "due to": ``bot.answer.values``), for the answer-type feature.
    entities: tuple[tuple[str, str], ...] = ()
    reason: bool = False
    # The article's title, a candidate only for the figures it alone gives (see
    # :func:`_title_rows`); ``position`` -1 (read before the body), listed after its article's
    # sentences.
    title: bool = False


def _looks_complete_start(text: str) -> bool:
    ch = text[0]
    return ch.isupper() or ch.isdigit() or ch in "\"“‘'(£$€"


def _looks_complete_end(text: str) -> bool:
    return text.rstrip()[-1] in ".!?\"”’')…:"


def _caption(text: str, doc: Doc) -> bool:
    """A line that is no sentence: no closing punctuation and no verb ("Video report by ITV News
    Correspondent Emma Murphy", a byline, a picture caption, a heading). Quoted, it reads as
    part of the sentence after it. A Doc only tokenised (far from the question's anchors) has no
    tags, and counts as having no verb."""
    return not _looks_complete_end(text) and not any(t.pos_ in {"VERB", "AUX"} for t in doc)


class CandidateCache:
    """``candidates_from``, remembered for the last few source lists (one answer scores the same
    passages several times: abstention, selection, each part of a compound question).

    Owned by the generator that uses it; thread-safe (Slack handlers may answer concurrently).
    """

    def __init__(self, max_items: int = 16) -> None:
        self._max = max_items
        self._cache: OrderedDict[
            tuple[tuple[tuple[int, str, int], ...], frozenset[str] | None], list[Candidate]
        ] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        sources: Sequence[Source],
        parse: Parse,
        anchors: frozenset[str] | None = None,
        tokenise: Parse | None = None,
    ) -> list[Candidate]:
        key = (tuple((s.key, s.hit.chunk_id, len(s.hit.text)) for s in sources), anchors)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        made = candidates_from(sources, parse, anchors, tokenise)
        with self._lock:
            self._cache[key] = made
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return made


def candidates_from(
    sources: Sequence[Source],
    parse: Parse,
    anchors: frozenset[str] | None = None,
    tokenise: Parse | None = None,
) -> list[Candidate]:
    """Every whole sentence of the passages once, in article order, with speakers resolved
    (``parse`` gives the sentences' Docs).

    With ``anchors`` and ``tokenise`` (:mod:`bot.answer.anchors`), only the sentences that name
    an anchor and their neighbours in the article are parsed; the others get ``tokenise``'s
    Docs: still candidates with their words, but no entities, speaker or reason."""
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

    kept_by_article: dict[str, list[tuple[int, int, str, int, int]]] = {}
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
        kept_by_article[article_id] = kept
    texts = [row[2] for rows in kept_by_article.values() for row in rows]
    full = texts
    if anchors and tokenise is not None:
        near = [
            keep
            for rows in kept_by_article.values()
            for keep in with_neighbours(anchored([r[2] for r in rows], anchors), NEIGHBOURS)
        ]
        full = [text for text, keep in zip(texts, near, strict=True) if keep]
        light = list(dict.fromkeys(t for t, keep in zip(texts, near, strict=True) if not keep))
        docs = dict(zip(light, tokenise(light), strict=True)) if light else {}
    else:
        docs = {}
    if full:
        docs.update(zip(full, parse(full), strict=True))
    title_rows = _title_rows(titles, kept_by_article, parse)

    out: list[Candidate] = []
    for article_id, kept in kept_by_article.items():
        article = _resolve_article(titles[article_id], kept, [docs[r[2]] for r in kept])
        for (pos, _end, text, key, rank), (speaker, reported) in zip(kept, article, strict=True):
            doc = docs[text]
            if _caption(text, doc):
                continue
            out.append(
                Candidate(
                    text=text,
                    key=key,
                    article_id=article_id,
                    article_rank=article_rank[article_id],
                    position=pos,
                    hit_rank=rank,
                    speaker=speaker,
                    quoted=has_quote(text),
                    reported=reported,
                    terms=frozenset(content_terms(text)),
                    speech_terms=frozenset(content_terms(speech_text(doc))),
                    entities=tuple((e.text, e.label_) for e in doc.ents),
                    reason=bool(value_spans(doc, AnswerType.REASON)),
                )
            )
        if article_id in title_rows:
            title, key, rank, doc = title_rows[article_id]
            out.append(
                Candidate(
                    # A headline has no full stop; the answer's sentences need one.
                    text=title if _looks_complete_end(title) else title + ".",
                    key=key,
                    article_id=article_id,
                    article_rank=article_rank[article_id],
                    position=-1,
                    hit_rank=rank,
                    terms=frozenset(content_terms(title)),
                    entities=tuple((e.text, e.label_) for e in doc.ents),
                    title=True,
                )
            )
    return out


# Figures a headline may give that its report leaves out ("Ireland 19-13 England").
_FIGURES = (AnswerType.SCORE, AnswerType.AMOUNT, AnswerType.COUNT, AnswerType.QUANTITY)


def _title_rows(
    titles: dict[str, str],
    kept_by_article: dict[str, list[tuple[int, int, str, int, int]]],
    parse: Parse,
) -> dict[str, tuple[str, int, int, Doc]]:
    """Each article whose title gives a figure that none of its retrieved sentences gives: the
    title, the key and rank of its best passage, and the title's Doc.

    Sports reports often carry the score in the headline only ("Ireland 19-13 England": 7 of
    the 580 must-mention phrases of our training questions are in a gold title and not its
    body, 6 of them scores; ``training/title_figures.py``); such a title is then the one place
    a passage states it.
    A title that reads as an instruction is never a candidate."""
    # Some titles keep HTML entities their bodies do not ("&#163;1.8m" beside "£1.8m").
    wanted = {
        a: html.unescape(t).strip()
        for a, t in titles.items()
        if a in kept_by_article and t.strip() and not is_instruction(html.unescape(t))
    }
    if not wanted:
        return {}
    order = list(wanted)
    docs = dict(zip(order, parse([wanted[a] for a in order]), strict=True))
    out: dict[str, tuple[str, int, int, Doc]] = {}
    for article_id in order:
        doc = docs[article_id]
        rows = kept_by_article[article_id]
        body = " ".join(normalise(html.unescape(r[2])).lower() for r in rows)
        figures = {
            normalise(doc.text[a:b]).lower()
            for t in _FIGURES
            for a, b, _label in value_spans(doc, t)
        }
        if any(f and f not in body for f in figures):
            best = min(rows, key=lambda r: r[4])
            out[article_id] = (wanted[article_id], best[3], best[4], doc)
    return out


def _resolve_article(
    title: str, rows: Sequence[tuple[int, int, str, int, int]], docs: Sequence[Doc]
) -> list[tuple[Person | None, bool]]:
    """(speaker, reported) of each sentence of one article, in order: names as written; "he",
    "the Foreign Secretary" and unattributed quotations resolved to who spoke before."""
    salient = salient_person(title, docs)
    last_speaker: Person | None = salient
    previous: Person | None = None  # the speaker of the sentence before
    paragraph_speaker: Person | None = None
    roles: dict[str, Person] = {}
    mentions = [speaker_mention(doc) for doc in docs]
    out: list[tuple[Person | None, bool]] = []
    for i, doc in enumerate(docs):
        text = rows[i][2]
        learn_roles(doc, roles)
        mention = mentions[i]
        speaker: Person | None = None
        reported = False
        if mention is not None:
            reported = True
            if mention.kind == "name":
                speaker = person_named(mention.text)
                if speaker:
                    last_speaker = speaker
            elif mention.kind == "role":
                # "the Foreign Secretary said": a role seen with a name, else whoever spoke
                # just before, else the article's main person.
                speaker = resolve_role(mention.text, roles) or previous or salient
            elif mention.kind == "pronoun":
                speaker = last_speaker if mention.text in ("it", "they") else previous or salient
        elif has_quote(text) and text.lstrip()[0] in '"“':
            # A quotation with no attribution of its own: when it runs on into the next sentence
            # the speaker is named there ('"We will win. [...]," said X.'); else it continues
            # the last speaker's words.
            ahead = _speaker_ahead(rows, mentions, i) if quotation_ends(text)[1] else None
            speaker = ahead or paragraph_speaker or last_speaker
        elif has_quote(text):
            # 'Mr Mallon provoked fury by branding the campaign "two-bit Tories"': the
            # sentence's subject is the one quoted.
            speaker = opening_name(doc)
            reported = speaker is not None
        previous = speaker
        if speaker:
            paragraph_speaker = speaker
        out.append((speaker, reported))
    return out


def _speaker_ahead(
    rows: Sequence[tuple[int, int, str, int, int]], mentions: Sequence[Mention | None], i: int
) -> Person | None:
    """The named speaker of the sentence right after sentence ``i``, when it is adjacent in the
    article (nothing between them) and names them."""
    if i + 1 >= len(rows) or rows[i + 1][0] - rows[i][1] > 2:
        return None
    mention = mentions[i + 1]
    if mention is not None and mention.kind == "name":
        return person_named(mention.text)
    return None


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
