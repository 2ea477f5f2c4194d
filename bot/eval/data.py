"""The evaluation data, shared by the answer and retrieval evaluations: question files (JSONL),
duplicate groups, question types, and the percentile used for latencies."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

TYPE_ORDER = ("single", "multi", "unanswerable")


class EvalDataError(ValueError):
    """The question file (or duplicates file) cannot be used; the message names the line."""


def load_questions(path: Path) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalDataError(f"Cannot read {path}: {exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise EvalDataError(f"{path}:{n}: not JSON ({exc})") from exc
        if not isinstance(record, dict) or not isinstance(record.get("question"), str):
            raise EvalDataError(f"{path}:{n}: a record needs a 'question' string")
        questions.append(record)
    if not questions:
        raise EvalDataError(f"{path}: no questions")
    return questions


def load_duplicates(path: Path | None) -> dict[str, set[str]]:
    """article id -> the ids of its duplicates (itself included)."""
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EvalDataError(f"Cannot read duplicates file {path}: {exc}") from exc
    groups: list[list[str]] = []
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list):
                groups.extend(g for g in value if isinstance(g, list))
    elif isinstance(data, list):
        groups = [g for g in data if isinstance(g, list)]
    out: dict[str, set[str]] = {}
    for group in groups:
        members = {str(x) for x in group}
        for member in members:
            out.setdefault(member, {member}).update(members)
    return out


def question_type(record: Mapping[str, Any]) -> str:
    kind = record.get("type")
    if isinstance(kind, str) and kind:
        return kind
    return "single" if record.get("answerable", True) else "unanswerable"


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
