"""One fixed-length feature vector per question part, from its evidence.

The fitted decision (:mod:`bot.answer.decision`, fitted by ``training/fit_decision.py``) reads
exactly these numbers in exactly this order. Changing a feature, or the order, means refitting:
the parameter file records the names it was fitted with, and the loader refuses a mismatch.

Features (all in [0, 1] except where said), over the part's windows (:mod:`bot.answer.evidence`):

``has_constraints``      the part names something (entity, proper noun, number, date)
``n_constraints``        how many, capped at 4, divided by 4
``constraint_share``     the best window's share of the constraints (title counts)
``missing_share``        share of the constraints that no window names at all
``value_with_constraints`` best of constraint share x "a value of the asked-for type is there"
``value_near``           best of constraint share x nearness of that value to a mention
``speaker``              statements: some window attributes words to the speaker
``speaker_topic``        statements: best of speaker attributed x share of topic terms
``predicate``            best of constraint share x "the question's verb is there"
``relation``             best of constraint share x share of the relation's words (verb, object
                         terms, the noun asked about) in the window
``focus``                best of constraint share x "the noun asked about is there" (1 when
                         the question asks about no noun: "who", "why")
``all_in_one``           best of constraint share x value nearness x relation share: everything
                         the part asks, together in one window
``terms_missing``        share of the part's content terms that no window (nor title) has
``keyword_coverage``     best share of the part's content terms in one window
``similarity``           best cosine similarity of a window sentence to the part
``similarity_best``      similarity of the strongest window (the one an answer would quote)
``dense``                the best hit's dense (cosine) score
``keyword``              log(1 + the best hit's BM25 score), unbounded
``agreement``            articles whose best window carries every constraint, capped at 3, / 3
``full_rank``            1 / (1 + rank of the best-ranked hit with a window carrying every
                         constraint); 0 when none does
``type_*``               the asked-for answer type, in groups: number (amount, count,
                         quantity), date, entity (person, organisation, place), reason,
                         statement, score, description
"""

from __future__ import annotations

import math

import numpy as np

from bot.answer.evidence import Evidence
from bot.answer.question.types import AnswerType

TYPE_GROUPS: dict[str, frozenset[AnswerType]] = {
    "type_number": frozenset({AnswerType.AMOUNT, AnswerType.COUNT, AnswerType.QUANTITY}),
    "type_date": frozenset({AnswerType.DATE}),
    "type_entity": frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE}),
    "type_reason": frozenset({AnswerType.REASON}),
    "type_statement": frozenset({AnswerType.STATEMENT}),
    "type_score": frozenset({AnswerType.SCORE}),
    "type_description": frozenset({AnswerType.DESCRIPTION}),
}

FEATURE_NAMES: tuple[str, ...] = (
    "has_constraints",
    "n_constraints",
    "constraint_share",
    "missing_share",
    "value_with_constraints",
    "value_near",
    "speaker",
    "speaker_topic",
    "predicate",
    "relation",
    "focus",
    "all_in_one",
    "terms_missing",
    "keyword_coverage",
    "similarity",
    "similarity_best",
    "dense",
    "keyword",
    "agreement",
    "full_rank",
    *TYPE_GROUPS,
)

MAX_CONSTRAINTS = 4
MAX_AGREEMENT = 3


def feature_vector(ev: Evidence) -> np.ndarray:
    """The part's features, in :data:`FEATURE_NAMES` order (float64).

    Where the part stands in its question is deliberately not a feature: in the training set
    unanswerable questions are rarely compound, and the decision must not learn that."""
    ws = ev.windows
    n = len(ev.constraints)

    def best(values: list[float]) -> float:
        return max(values) if values else 0.0

    full = [w for w in ws if w.constraint_share >= 1.0]
    values: dict[str, float] = {
        "has_constraints": 1.0 if n else 0.0,
        "n_constraints": min(n, MAX_CONSTRAINTS) / MAX_CONSTRAINTS,
        "constraint_share": best([w.constraint_share for w in ws]),
        "missing_share": len(ev.missing) / n if n else 0.0,
        "value_with_constraints": best([w.constraint_share * w.value_present for w in ws]),
        "value_near": best([w.constraint_share * w.value_near for w in ws]),
        "speaker": 1.0 if any(w.speaker_attributed for w in ws) else 0.0,
        "speaker_topic": best([w.speaker_attributed * w.topic_share for w in ws]),
        "predicate": best([w.constraint_share * w.predicate_present for w in ws]),
        "relation": best([w.constraint_share * w.relation_share for w in ws]),
        "focus": best([w.constraint_share * w.focus_present for w in ws]),
        "all_in_one": best([w.constraint_share * w.value_near * w.relation_share for w in ws]),
        "terms_missing": len(ev.terms_missing) / len(ev.part.terms) if ev.part.terms else 0.0,
        "keyword_coverage": best([w.keyword_coverage for w in ws]),
        "similarity": best([w.similarity for w in ws]),
        "similarity_best": ws[0].similarity if ws else 0.0,
        "dense": best([w.dense_score for w in ws]),
        "keyword": math.log1p(max(0.0, best([w.keyword_score for w in ws]))),
        "agreement": min(ev.agreement, MAX_AGREEMENT) / MAX_AGREEMENT,
        "full_rank": 1.0 / (1.0 + min(w.rank for w in full)) if full else 0.0,
    }
    for name, group in TYPE_GROUPS.items():
        values[name] = 1.0 if ev.part.answer_type in group else 0.0
    return np.array([values[name] for name in FEATURE_NAMES], dtype=np.float64)
