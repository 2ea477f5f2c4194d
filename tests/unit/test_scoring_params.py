"""The extractive generator's fitted weights: the shipped file loads, and a file that does not
match the code is refused with a message (never half-applied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.generators.extractive.weights import (
    PARAMS_PATH,
    ScoringParamsError,
    ScoringWeights,
    default_weights,
)


def _shipped() -> dict[str, object]:
    data: dict[str, object] = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    return data


def test_the_shipped_file_loads_and_names_its_fitting_script() -> None:
    weights = default_weights()
    assert isinstance(weights, ScoringWeights)
    assert _shipped()["fitted_by"] == "training/fit_extractive.py"
    assert weights.to_dict() == _shipped()["weights"]


def test_a_missing_or_unknown_weight_is_refused() -> None:
    data = _shipped()
    weights = dict(data["weights"])  # type: ignore[call-overload]
    del weights["context"]
    with pytest.raises(ScoringParamsError, match="missing \\['context'\\]"):
        ScoringWeights.from_dict({"weights": weights})
    weights["context"] = 0.5
    weights["surprise"] = 1.0
    with pytest.raises(ScoringParamsError, match="unknown \\['surprise'\\]"):
        ScoringWeights.from_dict({"weights": weights})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("context", "0.5"),
        ("context", float("nan")),
        ("rank", True),
        ("max_sentences", 2.5),
        ("diverse_articles", 0),
    ],
)
def test_a_bad_value_is_refused(name: str, value: object) -> None:
    weights = dict(_shipped()["weights"])  # type: ignore[call-overload]
    weights[name] = value
    with pytest.raises(ScoringParamsError, match=name):
        ScoringWeights.from_dict({"weights": weights})


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "scoring_params.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScoringParamsError, match="cannot read"):
        ScoringWeights.load(bad)
    with pytest.raises(ScoringParamsError, match="cannot read"):
        ScoringWeights.load(tmp_path / "absent.json")
