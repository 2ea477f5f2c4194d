"""The citation check's fitted thresholds: the shipped file loads and names its fitting script,
and a file that is missing or malformed is refused with a message (never half-applied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.citations.support import (
    PARAMS_PATH,
    SupportParams,
    SupportParamsError,
    support_params,
)


def test_the_shipped_file_loads_and_names_its_fitting_script() -> None:
    shipped = json.loads(PARAMS_PATH.read_text(encoding="utf-8"))
    assert shipped["fitted_by"] == "training/fit_support.py"
    assert shipped["report"] == "training/support_report.json"
    params = support_params()
    assert params == SupportParams(shipped["min_similarity"], shipped["min_overlap"])
    # The report beside the training data gives the same values (the script writes both).
    report = json.loads(
        (Path(__file__).resolve().parents[2] / "training/support_report.json").read_text(
            encoding="utf-8"
        )
    )
    assert report["final"]["fitted"] == {
        "min_similarity": params.min_similarity,
        "min_overlap": params.min_overlap,
    }


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{}",
        '{"min_similarity": 0.5}',
        '{"min_similarity": "high", "min_overlap": 0.7}',
        '{"min_similarity": 1.5, "min_overlap": 0.7}',
        '{"min_similarity": 0.5, "min_overlap": -0.1}',
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "support_params.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SupportParamsError):
        SupportParams.load(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SupportParamsError, match="cannot read"):
        SupportParams.load(tmp_path / "absent.json")
