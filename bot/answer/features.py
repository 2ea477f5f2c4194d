"""One fixed-length feature vector per question part, from its evidence.

The fitted decision (:mod:`bot.answer.decision`, fitted by ``training/fit_decision.py``) reads
exactly these numbers in exactly this order. Changing a feature, or the order, means refitting:
the parameter file records the names it was fitted with, and the loader refuses a mismatch.

Features (all in [0, 1] except where said), over the part's windows (:mod:`bot.answer.evidence`):

``has_constraints``      the part names something (entity, proper noun, number, date)
``constraint_share``     the best window's share of the constraints (title counts)
``missing_share``        share of the constraints that no window names at all
``value_with_constraints`` best of constraint share x "a value of the asked-for type is there"
``value_near``           best of constraint share x nearness of that value to a mention
``speaker``              statements: some window attributes words to the speaker (to anyone,
                         for "What was said about ...?", which names none)
``speaker_topic``        statements: best of speaker attributed x share of topic terms
``predicate``            best of constraint share x "the question's verb is there"
``relation``             best of constraint share x share of the relation's words (verb, object
                         terms, the noun asked about) in the window
``focus``                best of constraint share x "the noun asked about is there" (1 when
                         the question asks about no noun: "who", "why"; asked "what date", a
                         date there is the noun)
``all_in_one``           best of constraint share x value nearness x relation share: everything
                         the part asks, together in one window
``terms_missing``        share of the part's content terms that no window (nor title) has
``keyword_coverage``     best share of the part's content terms in one window
``similarity``           best cosine similarity of a window sentence to the part
``similarity_best``      similarity of the strongest window (the one an answer would quote)
``agreement``            articles whose best window carries every constraint, capped at 3, / 3
``full_rank``            1 / (1 + rank of the best-ranked hit with a window carrying every
                         constraint); 0 when none does
``withheld_full``        some window carrying every constraint says the thing asked for is
                         withheld ("undisclosed", "did not disclose": a price for "how much", a
                         name for "who", :mod:`bot.answer.withheld`; for a name asked with
                         "which", "a shareholder" with no name beside it)
``withheld_top``         the strongest window says so
``modal_top``            share of the strongest window's sentences under a modal ("will",
                         "would"): a preview or plan, not a report
``modal_full``           the least modal window carrying every constraint (1 when none does)
``event_realis``         0 when the windows carrying every constraint have the part's event
                         verb but never as having happened ("may sue", "hopeful of finding a
                         buyer", "plans to buy"; :mod:`bot.answer.binding`), else 1; a part
                         asking what will or could happen takes a plan as its event
``speech_topic``         statements: best of constraint share x share of the topic terms in
                         what a sentence attributed to the speaker says (not merely the window)
``relation_value``       best, over the windows, of constraint share x the similarity of the
                         sentence most like the part without its names (what it asks of them)
                         when that sentence holds a value of the asked-for type; else 0
``relevance``            the cross-encoder's best logit over the strongest windows, each
                         read whole after its title (:mod:`bot.answer.relevance`; not read:
                         its floor)
``type_*``               the asked-for answer type, in groups: number (amount, count,
                         quantity), date, entity (person, organisation, place), reason,
                         statement, score, description

Measured and not kept (no cross-validated gain for the logistic regression on the training
set, ``training/decision_ablation.py``; the code is on branch ``abstain8e-candidates``): a value
of the asked-for type in a realis clause, or in a constraint mention's clause, or both; the
event verb reported by the part's subject; every doer of the event verb another; the share of
the strongest (or least) window's sentences whose main clause is planned, expected or possible.
"""

from __future__ import annotations

import numpy as np

from bot.answer.evidence import Evidence, Window
from bot.answer.question.types import AnswerType
from bot.answer.relevance import FLOOR as RELEVANCE_FLOOR

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
    "agreement",
    "full_rank",
    "withheld_full",
    "withheld_top",
    "modal_top",
    "modal_full",
    "event_realis",
    "speech_topic",
    "relation_value",
    "relevance",
    *TYPE_GROUPS,
)

MAX_AGREEMENT = 3


def feature_vector(ev: Evidence) -> np.ndarray:
    """The part's features, in :data:`FEATURE_NAMES` order (float64).

    Where the part stands in its question is deliberately not a feature: in the training set
    unanswerable questions are rarely compound, and the decision must not learn that. Nor is how
    many things the question names (in our training set unanswerable questions name more, an
    artefact of how near misses were written; fitted, it outweighed the evidence). Nor are
    the hits' retrieval scores: a BM25 score (and the best dense score) depends on the size and
    make-up of the corpus, so a decision fitted on the BBC corpus would misjudge a folder of
    one article; every feature here measures the passages against the question itself."""
    ws = ev.windows
    n = len(ev.constraints)

    def best(values: list[float]) -> float:
        return max(values) if values else 0.0

    full = [w for w in ws if w.constraint_share >= 1.0]
    values: dict[str, float] = {
        "has_constraints": 1.0 if n else 0.0,
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
        "agreement": min(ev.agreement, MAX_AGREEMENT) / MAX_AGREEMENT,
        "full_rank": 1.0 / (1.0 + min(w.rank for w in full)) if full else 0.0,
        "withheld_full": 1.0 if any(w.withheld for w in full) else 0.0,
        "withheld_top": 1.0 if ws and ws[0].withheld else 0.0,
        "modal_top": ws[0].modal_share if ws else 0.0,
        "modal_full": min((w.modal_share for w in full), default=1.0),
        "event_realis": _event_realis(full),
        "speech_topic": best([w.constraint_share * w.speech_topic for w in ws]),
        "relation_value": best([w.constraint_share * w.relation_value for w in ws]),
        "relevance": RELEVANCE_FLOOR if ev.relevance is None else ev.relevance,
    }
    for name, group in TYPE_GROUPS.items():
        values[name] = 1.0 if ev.part.answer_type in group else 0.0
    return np.array([values[name] for name in FEATURE_NAMES], dtype=np.float64)


def _event_realis(full: list[Window]) -> float:
    """0.0 when the windows carrying every constraint name the part's event only as not (yet)
    happened; 1.0 when one reports it, or none names it (nothing to judge)."""
    named = [w for w in full if w.event_found]
    return 1.0 if not named or any(w.event_realis for w in named) else 0.0
