"""The decision: answer or abstain, per question part, with a reason a reader can check.

A logistic regression over :data:`bot.answer.features.FEATURE_NAMES`, calibrated, with a
probability threshold; all fitted by ``training/fit_decision.py`` on our own training questions
only, and stored in ``decision_params.json`` beside this module. At run time only numpy is
needed: :class:`DecisionParams` loads the file once and applies it.

Per part, :func:`decide_part` gives a :class:`Decision` (answer or abstain, the probability,
and a reason naming what is missing when it abstains: "no passage names 'Android'", "no amount
is given near 'Google' and 'Android'"). Per question, :func:`decide` gives the outcome:
``answered`` (every part answered), ``partial`` (some) or ``no_answer`` (none).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bot.answer.evidence import Evidence
from bot.answer.features import FEATURE_NAMES, feature_vector
from bot.answer.question.types import AnswerType
from bot.answer.untrusted import is_instruction

log = logging.getLogger(__name__)

PARAMS_PATH = Path(__file__).with_name("decision_params.json")

Outcome = Literal["answered", "partial", "no_answer"]

# What a value of each type is called in a reason ("no amount is given near ...").
_TYPE_NOUNS: dict[AnswerType, str] = {
    AnswerType.AMOUNT: "amount",
    AnswerType.COUNT: "number",
    AnswerType.QUANTITY: "figure",
    AnswerType.DATE: "date",
    AnswerType.PERSON: "name",
    AnswerType.ORGANISATION: "organisation",
    AnswerType.PLACE: "place",
    AnswerType.REASON: "reason",
    AnswerType.SCORE: "score",
}


class ParamsError(ValueError):
    """The parameter file is missing, malformed, or was fitted on other features."""


@dataclass(frozen=True, eq=False)
class DecisionParams:
    """A fitted decision: standardise, logistic regression, calibration map, threshold.

    ``calibration`` is ``{"kind": "sigmoid", "a": .., "b": ..}`` (Platt: p = 1 / (1 + exp(a*z +
    b)) of the regression's logit z), ``{"kind": "isotonic", "x": [..], "y": [..]}`` (piecewise
    linear in z) or ``{"kind": "none"}`` (the regression's own probability).
    """

    feature_names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: dict[str, Any]
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], features: tuple[str, ...] | None = FEATURE_NAMES
    ) -> DecisionParams:
        """The parameters in ``data``, fitted on ``features`` (None: on whatever features they
        name, for a decision read beside today's, as ``training/fit_decision.py`` reads its
        reference)."""
        try:
            names = tuple(str(n) for n in data["feature_names"])
            params = cls(
                feature_names=names,
                mean=np.asarray(data["scaler"]["mean"], dtype=np.float64),
                scale=np.asarray(data["scaler"]["scale"], dtype=np.float64),
                coef=np.asarray(data["coef"], dtype=np.float64),
                intercept=float(data["intercept"]),
                calibration=dict(data.get("calibration") or {"kind": "none"}),
                threshold=float(data["threshold"]),
                meta={k: v for k, v in data.items() if k not in _FIELDS},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ParamsError(f"decision parameters are malformed: {exc!r}") from exc
        if features is not None and names != features:
            raise ParamsError(
                "decision parameters were fitted on other features; refit with `make fit`"
            )
        n = len(names)
        if not (params.mean.shape == params.scale.shape == params.coef.shape == (n,)):
            raise ParamsError(f"decision parameters need {n} values per array")
        if np.any(params.scale <= 0):
            raise ParamsError("decision parameters: every scale must be positive")
        if params.calibration.get("kind") not in {"sigmoid", "isotonic", "none"}:
            raise ParamsError(f"unknown calibration {params.calibration.get('kind')!r}")
        return params

    @classmethod
    def load(cls, path: Path = PARAMS_PATH) -> DecisionParams:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ParamsError(f"cannot read decision parameters {path}: {exc}") from exc
        return cls.from_dict(data)

    def logit(self, x: np.ndarray) -> float:
        z = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        return float(z @ self.coef + self.intercept)

    def probability(self, x: np.ndarray) -> float:
        """The calibrated probability that the passages answer the part."""
        z = self.logit(x)
        kind = self.calibration.get("kind")
        if kind == "sigmoid":
            a, b = float(self.calibration["a"]), float(self.calibration["b"])
            return float(_expit(-(a * z + b)))
        if kind == "isotonic":
            xs = np.asarray(self.calibration["x"], dtype=np.float64)
            ys = np.asarray(self.calibration["y"], dtype=np.float64)
            return float(np.interp(z, xs, ys))
        return float(_expit(z))


_FIELDS = {"feature_names", "scaler", "coef", "intercept", "calibration", "threshold"}


def _expit(z: float) -> float:
    # Split by sign so that exp never overflows.
    if z >= 0:
        return 1.0 / (1.0 + float(np.exp(-z)))
    e = float(np.exp(z))
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def default_params() -> DecisionParams:
    """The shipped parameter file, loaded once per process."""
    return DecisionParams.load(PARAMS_PATH)


def configured_params(threshold: float | None, anchored: bool) -> DecisionParams:
    """The shipped decision, its threshold replaced by ``threshold`` when that is set; warns
    when ``anchored`` (``NEWSDESK_EVIDENCE_ANCHORED``) differs from what it was fitted with."""
    params = default_params()
    if threshold is not None:
        params = dataclasses.replace(params, threshold=threshold)
    if bool(params.meta.get("evidence_anchored", False)) != anchored:
        # Anchoring changes the features the decision reads: fitted one way and run the
        # other, it still answers, on probabilities it was not calibrated for.
        log.warning(
            "NEWSDESK_EVIDENCE_ANCHORED is %s but the decision was fitted with it %s: "
            "refit it with `make fit` (training/fit_decision.py reads the setting)",
            "on" if anchored else "off",
            "on" if not anchored else "off",
        )
    return params


@dataclass(frozen=True)
class Decision:
    """Whether to answer one part, how sure, and why."""

    part: str
    answer: bool
    probability: float
    reason: str

    @property
    def action(self) -> str:
        return "answer" if self.answer else "abstain"


@dataclass(frozen=True)
class QuestionDecision:
    parts: tuple[Decision, ...]

    @property
    def outcome(self) -> Outcome:
        answered = sum(1 for d in self.parts if d.answer)
        if self.parts and answered == len(self.parts):
            return "answered"
        return "partial" if answered else "no_answer"


def _quoted(names: Sequence[str], joiner: str) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]


def abstain_reason(ev: Evidence) -> str:
    """What the passages lack for this part, in words (the first missing thing found)."""
    part = ev.part
    ws = ev.windows
    if not ws:
        return "no passage was retrieved"
    if ev.missing:
        return f"no passage names {_quoted(ev.missing, 'or')}"
    full = [w for w in ws if w.constraint_share >= 1.0]
    if len(ev.constraints) > 1 and not full:
        return f"no passage names {_quoted(ev.constraints, 'and')} together"
    if part.focus and not any(w.focus_present for w in full):
        where = f" near {_quoted(ev.constraints, 'and')}" if ev.constraints else ""
        return f"no passage mentions the {part.focus}{where}"
    noun = _TYPE_NOUNS.get(part.answer_type)
    if noun is not None and not any(w.value_present for w in full):
        article = "an" if noun[0] in "aeiou" else "a"
        if ev.constraints:
            return f"no {noun} is given near {_quoted(ev.constraints, 'and')}"
        return f"no passage gives {article} {noun}"
    if part.answer_type is AnswerType.STATEMENT:
        speaker = part.relation.speaker or part.relation.subject
        if speaker and not any(w.speaker_attributed for w in ws):
            return f"no passage reports what '{speaker}' said"
        topic = part.relation.topic_terms
        if speaker and topic and not any(w.speaker_attributed and w.topic_share >= 1 for w in ws):
            return f"no passage has '{speaker}' speaking about {_quoted(topic, 'and')}"
    return f"the passages do not say enough about '{part.text.strip()}'"


def decide_part(ev: Evidence, params: DecisionParams) -> Decision:
    """Answer or abstain for one part."""
    p = params.probability(feature_vector(ev))
    if p >= params.threshold and ev.windows:
        top = ev.windows[0]
        if is_instruction(top.title):
            # Titles are untrusted metadata: one that instructs an assistant is not repeated.
            source = f"article '{top.article_id}' (its title reads as an instruction)"
        else:
            source = f"'{top.title}'"
        return Decision(ev.part.text, True, p, f"answered from {source}")
    return Decision(ev.part.text, False, p, abstain_reason(ev))


def decide(evidence: Sequence[Evidence], params: DecisionParams | None = None) -> QuestionDecision:
    """Per-part decisions and the question's outcome (parts in question order)."""
    params = params if params is not None else default_params()
    return QuestionDecision(tuple(decide_part(ev, params) for ev in evidence))
