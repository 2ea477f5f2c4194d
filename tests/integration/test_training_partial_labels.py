"""The unanswerable training questions whose first parts the corpus answers (``answered_parts``,
read by ``training/fit_decision.py`` as positive parts) still split into those parts and at least
one more: a change to question analysis that merged or re-split them would mislabel the fit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from bot.answer.question import analyse

TRAINING = Path(__file__).resolve().parents[2] / "training"


def partial_records() -> list[dict[str, object]]:
    out = []
    for path in sorted(TRAINING.glob("questions_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if record.get("answered_parts"):
                out.append(record)
    return out


def test_there_are_partial_training_questions() -> None:
    records = partial_records()
    assert len(records) == 5
    for r in records:
        assert r["answerable"] is False and r["type"] == "unanswerable"
        assert r["answered_mentions"]


@pytest.mark.parametrize("record", partial_records(), ids=lambda r: str(r["question"])[:40])
def test_a_partial_question_splits_into_its_answered_parts_and_more(
    nlp: Language, record: dict[str, object]
) -> None:
    parts = analyse(str(record["question"]), nlp).parts
    answered = record["answered_parts"]
    assert isinstance(answered, list)
    assert max(answered) < len(parts) and len(parts) > len(answered)
