"""Evidence: what the retrieved passages say about one question part, measured.

The second stage of the answer engine, after question analysis. Pure functions, no state:

* :func:`prepare_passages` (once per question, :mod:`bot.answer.passages`, re-exported here):
  the hits' sentences, split, filtered, parsed and embedded (only those near what the question
  names, when given its anchors: :mod:`bot.answer.anchors`).
* :func:`gather_evidence` (once per part): windows (a sentence with its neighbours in its
  article, across the boundary of two retrieved chunks: :func:`window_places`) measured
  against the part: which of its named constraints (entities and proper nouns, numbers, dates)
  appear (case-insensitively, on words and lemmas; the article's title and its source count as
  context: a review seldom names its own publisher, "according to the BBC's review"),
  whether a value of the asked-for type is there and how close to the constraint mentions (or
  in the article's headline, beside the constraints it names: a report's score is often only
  there, "Ireland 19-13 England"), for statements whether the speaker is attributed and the
  topic terms present, whether the relation's verb is there, keyword coverage of the part's
  terms, cosine similarity to the part's text, the hit's retrieval scores and rank. Then the
  agreement: how many distinct articles have a best window carrying every constraint.

:func:`evidence` does both for one part. Each measurement is a plain number in [0, 1] (or a
score as retrieval gave it), so :mod:`bot.answer.features` can turn them into a fixed vector.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.answer.binding import bind, speaker_topic, topic_share
from bot.answer.constraints import Constraint, names_constraint, part_constraints, positions
from bot.answer.constraints import present as _present
from bot.answer.doc_checks import (
    NAME_TYPES,
    doc_words,
    memo,
    modal_share,
    named_as,
    unnamed_in,
    values_of,
    withheld_in,
    words_of,
)
from bot.answer.matches import another_match
from bot.answer.passages import (
    NEIGHBOURS,
    Encode,
    Passages,
    Sentence,
    adjacent,
    prepare_passages,
    window_places,
)
from bot.answer.question.types import FIGURE_TYPES, AnswerType, QuestionPart
from bot.answer.question.words import NAME_FILLER as _FILLER
from bot.answer.question.words import REPORTING_VERBS
from bot.answer.values import per_unit, with_unit
from bot.citations.roles import LIGHT_VERBS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from retrieval.types import Hit


__all__ = [
    "NEIGHBOURS",
    "Encode",
    "Evidence",
    "Passages",
    "Sentence",
    "Window",
    "evidence",
    "gather_evidence",
    "prepare_passages",
]

# A value this many characters from a constraint mention counts half as near as one beside it:
# about a sentence's length, so "in the same or the next sentence" scores well and a value two
# paragraphs away does not.
NEAR_CHARS = 120.0

# The retrieval rank's share of a window's strength: fused retrieval saw the whole article and
# the question's wording, a window only its own sentences. Chosen on our answerable single
# training questions (python training/evidence_order.py): the strongest window is in a gold
# article for 207/217 without the prior, 209 / 210 / 214 / 211 / 208 with 0.25 / 0.5 / 1 / 2 / 4
# (retrieval's first hit alone: 208).
RANK_PRIOR = 1.0

_PRONOUNS = frozenset(["he", "she", "they", "we", "i"])
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Window:
    """A sentence with its neighbours, and how it measures against one part."""

    article_id: str
    title: str
    start: int  # article span of the whole window
    end: int
    sentences: tuple[tuple[int, int], ...]  # article span of each sentence
    centre: tuple[int, int]  # article span of the sentence the window is built around
    rank: int
    constraints_found: tuple[str, ...]
    constraint_share: float  # share of the part's constraints present (1.0 when it has none)
    value_present: bool  # a value of an accepted answer type is in the window
    value_near: float  # 1 beside a constraint mention, falling with distance; 0 without value
    values: tuple[tuple[int, int, str], ...]  # article spans of those values with their labels
    speaker_attributed: bool  # statements: the speaker reports or is quoted here
    topic_share: float  # statements: share of the topic terms present
    predicate_present: bool  # the relation's verb (lemma) is here, or there is no verb to find
    keyword_coverage: float  # share of the part's content terms present
    relation_share: float  # share of the relation's words (verb, objects, focus noun) present
    focus_present: bool  # the noun asked about ("price", "date": a date) is here, or none is
    similarity: float  # best cosine similarity of a window sentence to the part's text
    dense_score: float
    keyword_score: float
    score: float  # the hit's fused retrieval score
    # The window says the thing is not given: a word that withholds it ("undisclosed",
    # "unnamed"), a negated verb of telling ("did not disclose", "would not say"), or, asked
    # for a name ("which shareholder"), the noun only in an unnamed mention ("a shareholder").
    withheld: bool = False
    # Share of the window's sentences whose main verb is under a modal ("will", "would",
    # "could"): a preview or a plan rather than a report of what happened.
    modal_share: float = 0.0
    # The part's event verb (by lemma, :mod:`bot.answer.binding`) occurs here; and an occurrence
    # whose doer may be the part's subject is reported as having happened (no modal, no
    # negation, not hoped for or planned). Both False when the part has no event verb.
    event_found: bool = False
    event_realis: bool = False
    # Statements: best share of the topic terms in what a sentence attributed to the speaker says.
    speech_topic: float = 0.0
    # The similarity to the part without its names (QuestionPart.relation_text) of the window's
    # sentence most similar to it, when that sentence holds a value of the asked-for type; else
    # 0. The sentence that speaks of what is asked should give what is asked.
    relation_value: float = 0.0
    # The article span of the value nearest a constraint mention (the one value_near measures),
    # and of the first value in a sentence that has the part's verb ("cancel 77 flights").
    nearest_value: tuple[int, int] | None = None
    verb_value: tuple[int, int] | None = None

    @property
    def strength(self) -> float:
        """How well the window answers, to order windows (a plain sum of the measurements that
        say "this is the passage", plus the retrieval rank's prior ``RANK_PRIOR``: the fitted
        decision weighs them properly later)."""
        joint = self.constraint_share * self.value_near
        statement = 1.0 if self.speaker_attributed else 0.0
        return (
            self.constraint_share
            + joint
            + self.keyword_coverage
            + self.similarity
            + statement * self.topic_share
            + RANK_PRIOR / (1.0 + self.rank)
        )


@dataclass(frozen=True)
class Evidence:
    """Every window of the hits, measured against one part, best first."""

    part: QuestionPart
    windows: tuple[Window, ...]
    constraints: tuple[str, ...]  # the part's named constraints, as the question wrote them
    missing: tuple[str, ...]  # constraints that no window (nor its title) mentions
    terms_missing: tuple[str, ...]  # the part's content terms that no window (nor title) has
    agreement: int  # distinct articles whose best window carries every constraint
    articles: int  # distinct articles among the windows
    dropped: int = 0  # sentences dropped as instructions to an assistant
    best_by_article: dict[str, Window] = field(default_factory=dict)
    # The cross-encoder's reading of the strongest windows (bot.answer.relevance), set by the
    # judge after the windows are weighed; None until then.
    relevance: float | None = None


# --- one part ------------------------------------------------------------------------------------


# Asked "what date": the noun names the value's kind, so a date is the noun being there ("until
# 24 March" never says "date"). Not for a score's or a place's noun (measured: CHANGELOG).
_VALUE_NOUN_TYPES = frozenset({AnswerType.DATE})


def _title_nearness(
    part: QuestionPart,
    title: Doc | None,
    constraints: Sequence[Constraint],
) -> float | None:
    """How near a value of the asked-for type in the title is to the constraints the title names
    (as for a window: 1 / (1 + distance / NEAR_CHARS); 0.5 when the title names none), or
    ``None`` when the title gives no such value. A description has no typed value."""
    if title is None or part.answer_type is AnswerType.DESCRIPTION:
        return None
    values = [
        (vs, ve)
        for t in part.accepted_types
        for vs, ve, _label in values_of(title, t)
        if not names_constraint(title.text[vs:ve], constraints)
    ]
    if not values:
        return None
    marks = [p for c in constraints for p in positions(c, title.text)]
    if not marks:
        return 0.5
    d = min(_distance(v, m) for v in values for m in marks)
    return 1.0 / (1.0 + d / NEAR_CHARS)


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    if a[0] < b[1] and b[0] < a[1]:
        return 0
    return max(a[0] - b[1], b[0] - a[1])


def _relation_value(
    passages: Passages,
    places: Sequence[tuple[int, int]],
    sents: Sequence[Sentence],
    relation_vec: np.ndarray,
    values: Sequence[tuple[int, int, str]],
) -> float:
    """``Window.relation_value`` of the window at ``places`` (its ``sents``, its ``values``)."""
    sims = [float(passages.vectors[a][b] @ relation_vec) for a, b in places]
    best = int(np.argmax(sims))
    s = sents[best]
    return sims[best] if any(s.start <= v[0] < s.end for v in values) else 0.0


def _surname(part: QuestionPart) -> str:
    """The last word of the speaker's name, in lower case; "" for none or a pronoun."""
    speaker = (part.relation.speaker or part.relation.subject or "").lower()
    return ([""] + [w for w in _WORD.findall(speaker) if w not in _FILLER])[-1]


def _statement_speaker(
    part: QuestionPart, docs: Sequence[Doc], words: set[str], title: str, surname: str
) -> bool:
    """The speaker (``surname``: :func:`_surname`) reports something (a reporting verb with the
    speaker, or a pronoun, as its subject) or is named in a window that quotes someone."""
    if not surname:
        # "What was said about ...?" asks for anyone's words: someone is reported or quoted.
        # Not a pronoun speaker ("what did he say?"), who is someone in particular.
        return not (part.relation.speaker or part.relation.subject) and any(
            label in {"QUOTE", "SPEAKER"}
            for doc in docs
            for _s, _e, label in values_of(doc, AnswerType.STATEMENT)
        )
    named = surname in words or surname in _WORD.findall(title.lower())
    if not named:
        return False
    for doc in docs:
        spans = values_of(doc, AnswerType.STATEMENT)
        for s, e, label in spans:
            said = doc.text[s:e].lower()
            if label == "QUOTE":
                return True
            if label == "SPEAKER" and (surname in _WORD.findall(said) or said in _PRONOUNS):
                return True
    return False


def gather_evidence(part: QuestionPart, passages: Passages, encode: Encode) -> Evidence:
    """Every window of the passages, measured against ``part``, best first."""
    constraints = part_constraints(part, (d for docs in passages.docs for d in docs))
    named_lower = {m.text.lower().strip() for m in part.entities}
    # Names the part took over for a pronoun ("what did it sell for in Japan?"): the article
    # that answers writes "it" too, so they count anywhere in the article's retrieved passages;
    # so does whose a named thing is ("John Underwood's Live-Shot website": Mention.qualifier).
    # Not for a score: a match's owner ("Bayern Munich's Champions League match") is a side.
    asks_score = part.answer_type is AnswerType.SCORE
    loose = [m for m in part.entities if m.inherited or (m.qualifier and not asks_score)]
    taken = {m.text.lower().strip() for m in loose}
    own_lower = {m.text.lower().strip() for m in part.entities if m not in loose}
    taken -= own_lower
    article_text: dict[str, tuple[str, set[str]]] = {}
    if taken:
        for h, hit in enumerate(passages.hits):
            text, words_seen = article_text.get(hit.article_id, ("", set()))
            docs = passages.docs[h]
            text = text + " " + " ".join(s.text for s in passages.sentences[h]).lower()
            article_text[hit.article_id] = (text, words_seen | words_of(docs))
    named = [c for c in constraints if c.lower in named_lower]
    terms = [t.lower() for t in part.terms]
    topic_terms = [t.lower() for t in part.relation.topic_terms]
    predicate = (part.relation.predicate or "").lower()
    statement = part.answer_type is AnswerType.STATEMENT
    surname = _surname(part)
    # "What price per share ...": only a figure written with its unit answers.
    unit = per_unit(part.text) if part.answer_type in FIGURE_TYPES else None
    focus = (part.focus or "").lower()
    typed_focus = part.answer_type in _VALUE_NOUN_TYPES
    named_focus = bool(focus) and part.answer_type in NAME_TYPES
    relation_words = sorted(
        {w for w in (predicate, focus, *(t.lower() for t in part.relation.object_terms)) if w}
    )
    terms_seen: set[str] = set()
    if any(len(s) for s in passages.sentences):
        part_vec, relation_vec = np.asarray(
            encode([part.text, part.relation_text]), dtype=np.float32
        )
    else:
        part_vec = relation_vec = np.zeros(1, dtype=np.float32)

    windows: dict[tuple[str, int, int], Window] = {}
    for h, hit in enumerate(passages.hits):
        sents = passages.sentences[h]
        title_lower = hit.title.lower()
        title_words = set(_WORD.findall(title_lower))
        # The publisher wrote it: "the BBC's review" fits a BBC article that never says "BBC".
        source_lower = (hit.source or "").lower()
        source_words = set(_WORD.findall(source_lower))
        title_doc = passages.title_docs[h] if passages.title_docs else None
        title_near = _title_nearness(part, title_doc, constraints)
        for i, centre in enumerate(sents):
            if passages.centres and not passages.centres[h][i]:
                continue  # a neighbour only: it names no anchor (bot.answer.anchors)
            places = window_places(passages, h, i)
            w_sents = [passages.sentences[a][b] for a, b in places]
            w_docs = [passages.docs[a][b] for a, b in places]
            words = words_of(w_docs)
            text_lower = " ".join(s.text for s in w_sents).lower()
            found = [
                c
                for c in constraints
                if _present(c, text_lower, words)
                or _present(c, title_lower, title_words)
                or _present(c, source_lower, source_words)
                or (c.lower in taken and _present(c, *article_text[hit.article_id]))
            ]
            share = len(found) / len(constraints) if constraints else 1.0
            marks = [p for c in found for s in w_sents for p in positions(c, s.text, s.start)]
            values: list[tuple[int, int, str]] = []
            verb_value: tuple[int, int] | None = None
            # Each sentence's predecessor in the article (a score's match may be named there).
            befores: list[Doc | None] = [None] * len(places)
            if AnswerType.SCORE in part.accepted_types:
                prior = [adjacent(passages, places[0], -1), *places[:-1]]
                befores = [None if p is None else passages.docs[p[0]][p[1]] for p in prior]
            for s, doc, before in zip(w_sents, w_docs, befores, strict=True):
                for t in part.accepted_types:
                    for vs, ve, label in values_of(doc, t):
                        # A value the question itself names is a constraint, not an answer.
                        if names_constraint(s.text[vs:ve], constraints):
                            continue
                        if label == "SCORE" and named and another_match(doc, named, before, vs):
                            continue
                        if unit is not None and not with_unit(doc, ve, unit):
                            continue
                        values.append((s.start + vs, s.start + ve, label))
                        if verb_value is None and predicate in memo(doc, "words", doc_words):
                            verb_value = (s.start + vs, s.start + ve)
                if named_focus:
                    # "which theatre": "the Ethel Barrymore Theatre" names one (tagged ORG).
                    values.extend(
                        (s.start + vs, s.start + ve, label)
                        for vs, ve, label in named_as(doc, focus)
                        if not names_constraint(s.text[vs:ve], constraints)
                    )
            binding = bind(part, w_docs)
            if part.answer_type is AnswerType.DESCRIPTION:
                # Any sentence may describe: the centre sentence is the candidate value.
                values.append((centre.start, centre.end, "SENTENCE"))
            values = sorted(set(values))
            near = 0.0
            nearest: tuple[int, int] | None = None
            if values:
                if not constraints:
                    near = 1.0
                elif marks:
                    d, nearest = min((_distance(v[:2], m), v[:2]) for v in values for m in marks)
                    near = 1.0 / (1.0 + d / NEAR_CHARS)
                elif found:  # named only in the title: the article is about it, somewhere
                    near = 0.5
            if title_near is not None and found:
                # The headline gives the value ("Ireland 19-13 England"): the answer may quote it.
                near = max(near, title_near)
            speaker = statement and _statement_speaker(part, w_docs, words, hit.title, surname)
            topic = topic_share(topic_terms, words) if statement else 0.0
            if not predicate:
                has_predicate = True
            elif statement:
                has_predicate = predicate in words or bool(words & REPORTING_VERBS)
            else:
                has_predicate = predicate in words
            coverage = sum(1 for t in terms if t in words) / len(terms) if terms else 0.0
            terms_seen.update(t for t in terms if t in words or t in title_words)
            relation_share = (
                sum(1 for t in relation_words if t in words) / len(relation_words)
                if relation_words
                else 1.0
            )
            window = Window(
                article_id=hit.article_id,
                title=hit.title,
                start=w_sents[0].start,
                end=w_sents[-1].end,
                sentences=tuple((s.start, s.end) for s in w_sents),
                centre=(centre.start, centre.end),
                rank=h,
                constraints_found=tuple(c.text for c in found),
                constraint_share=share,
                value_present=bool(values) or (title_near is not None and bool(found)),
                value_near=near,
                values=tuple(values),
                speaker_attributed=speaker,
                topic_share=topic,
                predicate_present=has_predicate,
                keyword_coverage=coverage,
                relation_share=relation_share,
                focus_present=not focus or focus in words or (typed_focus and bool(values)),
                similarity=max(float(passages.vectors[a][b] @ part_vec) for a, b in places),
                relation_value=_relation_value(passages, places, w_sents, relation_vec, values),
                dense_score=hit.dense_score or 0.0,
                keyword_score=hit.keyword_score or 0.0,
                score=hit.score,
                withheld=withheld_in(w_docs, part.accepted_types, surname if statement else None)
                or unnamed_in(part, w_sents, w_docs, values),
                modal_share=modal_share(w_docs),
                event_found=binding is not None and binding.verb,
                event_realis=binding is not None and binding.realis,
                speech_topic=speaker_topic(part, w_docs, hit.title) if statement else 0.0,
                nearest_value=nearest,
                verb_value=verb_value if predicate not in LIGHT_VERBS else None,
            )
            key = (hit.article_id, centre.start, centre.end)
            if key not in windows:  # overlapping chunks: the better-ranked hit's copy stays
                windows[key] = window
    ordered = sorted(windows.values(), key=lambda w: (-w.strength, w.rank, w.article_id, w.start))
    best: dict[str, Window] = {}
    for w in ordered:
        best.setdefault(w.article_id, w)
    found_any = {name for w in ordered for name in w.constraints_found}
    return Evidence(
        part=part,
        windows=tuple(ordered),
        constraints=tuple(c.text for c in constraints),
        missing=tuple(c.text for c in constraints if c.text not in found_any),
        terms_missing=tuple(t for t in terms if t not in terms_seen),
        agreement=sum(1 for w in best.values() if w.constraint_share >= 1.0),
        articles=len(best),
        dropped=len(passages.dropped),
        best_by_article=best,
    )


def evidence(part: QuestionPart, hits: Sequence[Hit], nlp: Language, encode: Encode) -> Evidence:
    """:func:`prepare_passages` then :func:`gather_evidence`, for a single part."""
    return gather_evidence(part, prepare_passages(hits, nlp, encode), encode)
