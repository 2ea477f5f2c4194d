"""The extractive generator's scoring weights: fitted by ``training/fit_extractive.py``
(``make fit``) on our own training questions and loaded from ``scoring_params.json`` beside this
module. What each weight does is said beside it; how they are used is in ``scoring``."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

PARAMS_PATH = Path(__file__).with_name("scoring_params.json")


class ScoringParamsError(ValueError):
    """The scoring parameter file is missing, unreadable or does not match this code."""


@dataclass(frozen=True)
class ScoringWeights:
    """How the extractive generator scores and selects sentences (see the module doc)."""

    # Cosine similarity of sentence and question (the anchor of the scale: fixed at 1).
    similarity: float = 1.0
    # Keyword coverage: the question's content words the sentence holds, weighted by rarity.
    keywords: float = 1.0
    # "What did X say": the sentence is X's words.
    attribution: float = 0.35
    # The sentence supplies what the question asks for: a new name for "who", a figure for
    # "how much".
    answer_type: float = 0.3
    # Share of the best neighbouring sentence's relevance (answers often follow the lead).
    context: float = 0.7
    # Retrieval rank of the passage: a small prior (the fused ranking saw the whole article).
    rank: float = 0.1
    # Once a question word is covered by a chosen sentence, it counts this much for the next ones.
    covered: float = 0.25
    # Sentences must score at least this share of the best one's score to be considered at all.
    min_relative_score: float = 0.6
    # A top article not yet represented gets its best sentence in if it scores this share of the
    # best.
    diverse_min_share: float = 0.75
    # How much an article's coverage of the question's words counts when choosing the main one.
    article_coverage: float = 2.0
    # Each name of the question an article's best sentence lacks multiplies it by this.
    name_penalty: float = 0.7
    # Another article is quoted only if it holds this share (by weight) of question words that
    # the articles already admitted lack: a two-part question about two stories.
    new_terms_share: float = 0.5
    # For "what did X say about Y": Y mentioned only around the speech counts this much.
    outside_speech: float = 0.5
    # At most this many articles are quoted in one answer, and this many sentences.
    diverse_articles: int = 3
    max_sentences: int = 5

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoringWeights:
        """The weights in ``data["weights"]``: exactly this class's fields, no more, no fewer."""
        weights = data.get("weights") if isinstance(data, Mapping) else None
        if not isinstance(weights, Mapping):
            raise ScoringParamsError("scoring parameters have no 'weights' object")
        names = {f.name: f for f in fields(cls)}
        if set(weights) != set(names):
            missing = sorted(set(names) - set(weights))
            extra = sorted(set(weights) - set(names))
            raise ScoringParamsError(
                f"scoring parameters do not match this code (missing {missing}, unknown {extra}): "
                "refit them with training/fit_extractive.py"
            )
        values: dict[str, Any] = {}
        for name, f in names.items():
            value = weights[name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScoringParamsError(f"scoring weight {name!r} is not a number: {value!r}")
            if f.type == "int":
                if int(value) != value or value < 1:
                    raise ScoringParamsError(f"scoring weight {name!r} must be a positive integer")
                values[name] = int(value)
            else:
                if not math.isfinite(float(value)):
                    raise ScoringParamsError(f"scoring weight {name!r} is not finite")
                values[name] = float(value)
        return cls(**values)

    @classmethod
    def load(cls, path: Path = PARAMS_PATH) -> ScoringWeights:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ScoringParamsError(f"cannot read scoring parameters {path}: {exc}") from exc
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@lru_cache(maxsize=1)
def default_weights() -> ScoringWeights:
    """The shipped parameter file, loaded once per process."""
    return ScoringWeights.load(PARAMS_PATH)
