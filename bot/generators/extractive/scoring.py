"""Scoring and selection: every candidate sentence scored against the question, and the few best
kept within the word budget (the ``ExtractiveGenerator``).

Scores combine similarity (sentence and question embeddings, for a shortlist), keyword coverage
(the question's content words, weighted by rarity among the retrieved sentences; words already
covered by a chosen sentence count less), attribution (``speakers``), the answer type and the
neighbouring sentences' relevance. Near-duplicates are removed, another article is quoted only
when it covers question words the chosen one lacks, and the chosen sentences are given in reading
order: by article, then by position in the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.answer.anchors import question_anchors
from bot.answer.cache import PassageCache
from bot.answer.speakers import Person, question_people
from bot.encoder import CachedEncoder, Encoder, cached_encoder
from bot.generators.extractive.articles import admit_articles
from bot.generators.extractive.candidates import (
    Candidate,
    CandidateCache,
    Scored,
    term_weights,
)
from bot.generators.extractive.compose import (
    Quotations,
    complete_quotations,
    key_of,
    reading_order,
    same_words,
    sources_by_part,
    take_turns,
    with_required,
    word_count,
)
from bot.generators.extractive.questions import (
    Asked,
    asked_parts,
    asked_whole,
    mentions_word,
    name_key,
)
from bot.generators.extractive.weights import (
    ScoringWeights,
    default_weights,
)
from retrieval.text import HONORIFICS, content_terms, term_in

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from bot.answer.question.types import QuestionAnalysis
    from bot.prompts import Prompt
    from bot.settings import Settings
    from bot.types import Source

# --- scoring weights -----------------------------------------------------------------------------
# The weights below are fitted, not set by hand: ``training/fit_extractive.py`` (``make fit``)
# searches them on our own training questions (``training/questions_*.jsonl``, never the
# evaluation sets), maximising must-mention coverage of the answers, and writes
# ``scoring_params.json``, loaded by ``weights``. Only the shortlist sizes (a cost, not a judgement)
# are fixed here: a shortlist of a dozen embedded sentences scores as well as embedding every
# sentence of the passages, at a fraction of the cost.
# How many sentences (the best by the cheap first pass) are embedded and rescored.
SHORTLIST = 12
# The same for each part of a compound question (the whole question's shortlist is reused).
PART_SHORTLIST = 6


# --- selection -----------------------------------------------------------------------------------

# What a sentence supplies, by the kind of answer asked for: spaCy's entity labels (numbers,
# dates, names), and causal markers (``bot.answer.values``).
_NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}
)
_NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
_TIME_LABELS = frozenset({"DATE", "TIME"})


def _new_names(cand: Candidate, question_words: set[str]) -> int:
    """Named entities of the sentence that the question does not name."""
    count = 0
    for text, label in cand.entities:
        # "Ms Hutt" is the question's Jane Hutt: a courtesy title adds no one.
        words = {w.lower().removesuffix("'s").removesuffix("’s") for w in text.split()}
        words -= HONORIFICS
        if label in _NAME_LABELS and not words <= question_words:
            count += 1
    return count


def _new_numbers(cand: Candidate, question: str) -> int:
    """Numbers, amounts and quantities of the sentence that the question does not give."""
    asked = question.lower()
    return sum(
        1 for text, label in cand.entities if label in _NUMBER_LABELS and text.lower() not in asked
    )


def type_match(
    cand: Candidate, kinds: Sequence[str], question: str, question_words: set[str]
) -> float:
    """Share of the question's answer types that the sentence supplies (new names, figures...)."""
    if not kinds:
        return 0.0
    got = 0.0
    for kind in kinds:
        if kind in ("person", "name", "place"):
            got += min(1.0, _new_names(cand, question_words) / 2)
        elif kind == "number":
            got += min(1.0, _new_numbers(cand, question) / 1)
        elif kind == "time":
            got += 1.0 if any(label in _TIME_LABELS for _, label in cand.entities) else 0.0
        elif kind == "reason":
            got += 0.5 if cand.reason else 0.0
    return got / len(kinds)


def _coverage(
    cand: Candidate,
    weights: dict[str, float],
    covered: set[str],
    fitted: ScoringWeights,
    speech: bool = False,
) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for term, w in weights.items():
        if term_in(term, cand.terms):
            if speech and not term_in(term, cand.speech_terms):
                w *= fitted.outside_speech
            got += w * (fitted.covered if term in covered else 1.0)
    return got / total


def _question_terms(question: str, people: Sequence[Person]) -> list[str]:
    terms = [t for t in content_terms(question) if not _is_name_of(t, people)]
    return terms or content_terms(question)


@dataclass
class ExtractiveGenerator:
    # The embedding model, or (from the core) the cache of sentence vectors it shares with the
    # citation check.
    embeddings: Encoder
    max_words: int = 120
    # The budget of an answer given part by part from different articles (a question about
    # several stories; ``_select_parts``); None: ``max_words``.
    max_words_apart: int | None = None
    name: str = "extractive"
    # The fitted weights (``scoring_params.json``); the fitting script passes its trials here.
    weights: ScoringWeights = field(default_factory=default_weights)
    # Sentence parses: the core passes its own cache, where the evidence stage has parsed the
    # passages' sentences (and the question) already; standing alone, the generator parses them.
    passages: PassageCache = field(default_factory=PassageCache, repr=False)
    # Parse only the sentences near what the question names (bot.answer.anchors), as the core's
    # evidence stage does (the setting ``evidence_anchored``); the others are only tokenised:
    # they keep their words, and have no entities, speaker or reason.
    anchored: bool = False
    encoder: CachedEncoder = field(init=False, repr=False)
    candidates: CandidateCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.encoder = cached_encoder(self.embeddings)
        self.candidates = CandidateCache()

    def parse(self, texts: Sequence[str]) -> list[Doc]:
        """spaCy Docs of ``texts``, from the shared cache (parsed in one batch when missing)."""
        from bot.answer.nlp import load_nlp

        return self.passages.parse(texts, load_nlp())

    def tokenise(self, texts: Sequence[str]) -> list[Doc]:
        """spaCy's tokens of ``texts`` alone (no parse, nothing cached: it is cheap)."""
        from bot.answer.nlp import load_nlp

        nlp = load_nlp()
        return [nlp.make_doc(text) for text in texts]

    def analysis(self, question: str) -> QuestionAnalysis:
        """The core's question analysis (:func:`bot.answer.question.analyse`), from the cached
        parse of the question (the core parsed it already)."""
        from bot.answer.nlp import load_nlp
        from bot.answer.question import analyse

        text = question.strip()
        doc = self.parse([text])[0] if text else None
        return analyse(question, load_nlp(), doc=doc)

    def people(self, question: str) -> list[Person]:
        """Whose words the question asks about (:func:`speakers.question_people`)."""
        text = question.strip()
        return question_people(self.parse([text])[0]) if text else []

    def generate(
        self,
        question: str,
        sources: Sequence[Source],
        prompt: Prompt | None = None,
        *,
        part_articles: Sequence[str | None] = (),
        required: Sequence[tuple[str, int, int]] = (),
    ) -> str:
        del prompt  # the extractive answer has no prompt; the core records the prompt id anyway
        chosen = self.select(question, sources, part_articles=part_articles, required=required)
        return " ".join(f"{s.candidate.text} [{s.candidate.key}]" for s in chosen)

    def score(
        self,
        asked: Asked,
        sources: Sequence[Source],
        shortlist: int | None = None,
        people: Sequence[Person] | None = None,
        anchors: frozenset[str] | None = None,
    ) -> list[Scored]:
        """Every candidate sentence with its score (before diversity and the word budget).

        Embedding every sentence of the passages costs more than the rest of an answer together,
        so it is done in two passes: every sentence is
        first scored with its passage's similarity to the question (free: retrieval computed it),
        then the ``SHORTLIST`` best are embedded in one batch and rescored with their own.
        """
        candidates = self.candidates.get(sources, self.parse, anchors, self.tokenise)
        if "number" not in asked.kinds:
            # A title is a candidate only for a figure it alone gives (candidates._title_rows).
            candidates = [c for c in candidates if not c.title]
        if not candidates:
            return []
        question = asked.text
        if people is None:
            people = self.people(question)
        weights = term_weights(_question_terms(question, people), candidates)
        kinds = asked.kinds
        q_words = {w.lower().removesuffix("'s") for w in re.findall(r"[\w'’\-]+", question)}
        passage_sim = _passage_similarities(sources)
        features: list[tuple[float, float, float]] = []
        sims: list[float] = []
        for cand in candidates:
            attribution = _attribution(cand, people)
            kw = _coverage(cand, weights, set(), self.weights, speech=bool(people))
            kind = type_match(cand, kinds, question, q_words)
            features.append((kw, attribution, kind))
            sims.append(passage_sim.get(cand.key, 0.0))
        first = self._combine(candidates, sims, features)
        size = SHORTLIST if shortlist is None else shortlist
        if size:
            encoder = self.encoder
            # Sentences embedded earlier (for this question's other part, say) come for free.
            known = encoder.cached([c.text for c in candidates])
            order = sorted(range(len(candidates)), key=lambda i: -first[i].score)[:size]
            order += [i for i, c in enumerate(candidates) if c.text in known and i not in order]
            vectors = encoder.encode([question, *(candidates[i].text for i in order)])
            fresh = {i: float(sim) for i, sim in zip(order, vectors[1:] @ vectors[0], strict=True)}
            # Sentences left out keep a similarity no higher than the lowest embedded one, so the
            # two scales never mix in their favour.
            floor = min(fresh.values())
            sims = [fresh.get(i, min(sim, floor)) for i, sim in enumerate(sims)]
            return self._combine(candidates, sims, features)
        return first

    def _combine(
        self,
        candidates: Sequence[Candidate],
        sims: Sequence[float],
        features: Sequence[tuple[float, float, float]],
    ) -> list[Scored]:
        w = self.weights
        base = [
            w.similarity * sim + w.keywords * kw
            for sim, (kw, _, _) in zip(sims, features, strict=True)
        ]
        scored = []
        for i, cand in enumerate(candidates):
            # The sentence next to a relevant one often holds the answer ("... Henry will be named
            # World Player of the Year." -> "He is on the shortlist with Ronaldinho and ...").
            neighbours = [
                base[j]
                for j in (i - 1, i + 1)
                if 0 <= j < len(candidates) and candidates[j].article_id == cand.article_id
            ]
            context = max(neighbours, default=0.0)
            kw, attribution, kind = features[i]
            score = (
                base[i]
                + w.attribution * attribution
                + w.answer_type * kind
                + w.context * context
                + w.rank / (1.0 + cand.hit_rank)
            )
            scored.append(Scored(cand, score, sims[i], kw, attribution, kind, context))
        return scored

    def select(
        self,
        question: str,
        sources: Sequence[Source],
        *,
        part_articles: Sequence[str | None] = (),
        required: Sequence[tuple[str, int, int]] = (),
    ) -> list[Scored]:
        """The sentences of the answer, in reading order; those ``required`` (the decision's
        ``Judgement.value_sentences``) in place of the weakest chosen (:func:`with_required`);
        a quotation a chosen sentence leaves open, completed (:func:`complete_quotations`).

        A compound question whose parts each name their subject and are best answered by
        different articles ("How much did Howard earmark, and what was Brown expected to do?")
        is answered part by part, each with its share of the word budget. So is one whose parts
        the decision stage found in different articles (``part_articles``:
        ``Judgement.part_articles``, one per part): each part is then answered from its article.
        """
        chosen, budget = self._select_parts(question, sources, part_articles)
        if not chosen:
            return chosen
        anchors = question_anchors(self.analysis(question)) if self.anchored else None
        every = self.candidates.get(sources, self.parse, anchors, self.tokenise)
        if required:
            chosen = with_required(chosen, every, required, budget)
        return complete_quotations(chosen, every, budget, required)

    def _select_parts(
        self, question: str, sources: Sequence[Source], part_articles: Sequence[str | None]
    ) -> tuple[list[Scored], int]:
        """The chosen sentences and the budget they were chosen within."""
        people = self.people(question)
        analysis = self.analysis(question)
        anchors = question_anchors(analysis) if self.anchored else None
        whole = asked_whole(analysis)
        chosen = self._select(whole, sources, self.max_words, people=people, anchors=anchors)
        parts = asked_parts(analysis)
        if not chosen or not parts:
            return chosen, self.max_words
        # Each part's speakers: those of the question that the part names ("What did A say
        # about X, and what did B say about Y?"), or all of them (a part that says "he").
        part_people = [_people_named(part.text, people) for part in parts]
        placed = sources_by_part(sources, part_articles, len(parts))
        if placed is None:
            budget = self.max_words // len(parts)
            per_part = [
                self._select(part, sources, budget, PART_SHORTLIST, who, anchors)
                for part, who in zip(parts, part_people, strict=True)
            ]
            mains = {
                max(sel, key=lambda s: s.score).candidate.article_id for sel in per_part if sel
            }
            if not all(part.standalone for part in parts) or len(mains) < 2:
                return chosen, self.max_words
        # A question about two stories: answered part by part, taking turns at the budget.
        apart = self.max_words_apart or self.max_words
        queues = [
            sorted(
                self._select(part, srcs, apart, PART_SHORTLIST, who, anchors),
                key=lambda s: -s.score,
            )
            for part, who, srcs in zip(
                parts, part_people, placed or [sources] * len(parts), strict=True
            )
        ]
        return take_turns(queues, apart), apart

    def _select(
        self,
        asked: Asked,
        sources: Sequence[Source],
        max_words: int,
        shortlist: int | None = None,
        people: Sequence[Person] = (),
        anchors: frozenset[str] | None = None,
    ) -> list[Scored]:
        scored = self.score(asked, sources, shortlist, people, anchors)
        if not scored:
            return []
        fitted = self.weights
        weights = term_weights(_question_terms(asked.text, people), [s.candidate for s in scored])

        chosen: list[Scored] = []
        covered: set[str] = set()
        words = 0
        first_score = max(s.score for s in scored)

        def gain(s: Scored) -> float:
            # The score, with question words already covered by chosen sentences counting less.
            kw_now = _coverage(s.candidate, weights, covered, fitted, speech=bool(people))
            return s.score - fitted.keywords * (s.keywords - kw_now)

        def is_repeat(s: Scored) -> bool:
            return any(same_words(s.candidate, c.candidate) for c in chosen)

        # Which articles may be quoted (:func:`admit_articles`); each admitted article's best
        # sentence gets in.
        keys = [key for key in (name_key(n) for n in asked.names) if key]
        persons = [key for key in (name_key(n) for n in asked.persons) if key]
        admitted = admit_articles(scored, weights, keys, fitted, persons)
        allowed = {s.candidate.article_id for s in admitted}
        top_articles = admitted[1:]

        # A sentence comes with those completing a quotation it leaves open (:class:`Quotations`):
        # it fits only if they all do.
        quotations = Quotations([s.candidate for s in scored])
        by_key = {key_of(s.candidate): s for s in scored}
        taken: set[tuple[str, int]] = set()

        def bundle(s: Scored) -> list[Scored]:
            group = (by_key[key_of(c)] for c in quotations.group(s.candidate))
            return [m for m in group if key_of(m.candidate) not in taken]

        def room_for(s: Scored) -> bool:
            # The first choice always stands; later ones only with their whole quotation.
            if not chosen:
                return True
            group = bundle(s)
            return (
                words + sum(word_count(m.candidate.text) for m in group) <= max_words
                and len(chosen) + len(group) <= fitted.max_sentences
            )

        floor = fitted.min_relative_score * first_score
        remaining = [s for s in scored if s.score >= floor and s.candidate.article_id in allowed]
        while remaining and len(chosen) < fitted.max_sentences:
            remaining = [s for s in remaining if not is_repeat(s)]
            fits = [s for s in remaining if room_for(s)]
            if not fits:
                break
            best = max(fits, key=gain)
            represented = {c.candidate.article_id for c in chosen}
            for top in top_articles:
                if chosen and top.candidate.article_id not in represented and top in fits:
                    best = top
                    break
            for member in bundle(best):
                chosen.append(member)
                taken.add(key_of(member.candidate))
                words += word_count(member.candidate.text)
                covered.update(t for t in weights if term_in(t, member.candidate.terms))
                if member in remaining:
                    remaining.remove(member)

        return reading_order(chosen)


def _passage_similarities(sources: Sequence[Source]) -> dict[int, float]:
    """Each passage's cosine similarity to the question, from retrieval (keyword-only hits, which
    have none, get the lowest one seen)."""
    known = [s.hit.dense_score for s in sources if s.hit.dense_score is not None]
    floor = min(known) if known else 0.0
    return {s.key: (s.hit.dense_score if s.hit.dense_score is not None else floor) for s in sources}


def _people_named(text: str, people: Sequence[Person]) -> list[Person]:
    named = [p for p in people if mentions_word(text.lower(), p.surname)]
    return named or list(people)


def _is_name_of(term: str, people: Sequence[Person]) -> bool:
    """Words of the speaker's name are matched by attribution, not as keywords."""
    return any(term in {_stem_simple(t) for t in p.tokens} for p in people)


def _stem_simple(word: str) -> str:
    terms = content_terms(word)
    return terms[0] if terms else word


def _attribution(cand: Candidate, people: Sequence[Person]) -> float:
    if not people:
        return 0.0
    if cand.speaker is not None and any(p.matches(cand.speaker) for p in people):
        return 1.0 if (cand.quoted or cand.reported) else 0.5
    if cand.speaker is None and (cand.quoted or cand.reported):
        return 0.0
    # Someone else's words: not what the question asks for.
    return -0.3 if cand.speaker is not None else 0.0


def build_extractive_generator(settings: Settings, embeddings: Encoder) -> ExtractiveGenerator:
    return ExtractiveGenerator(
        embeddings,
        max_words=settings.answer.answer_max_words,
        max_words_apart=settings.answer.answer_max_words_apart,
        anchored=settings.answer.evidence_anchored,
    )


# Re-exported for tests and the REPL.
