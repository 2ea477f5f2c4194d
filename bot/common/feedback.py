"""Helpful / not-helpful clicks, appended to a JSONL file that the evaluation can read.

One JSON object a line::

    {"time": "2025-01-01T12:00:00+00:00", "verdict": "helpful", "user": "U123",
     "question": "...", "answer": "...", "prompt_id": "3f2a...", "generator": "extractive",
     "status": "answered", "answer_id": "...", "channel": "C123", "message_ts": "..."}

Appends are serialised with a lock and each line is written with a single ``write`` call, so
concurrent clicks never interleave within a line.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Verdict = Literal["helpful", "not_helpful"]


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    verdict: Verdict
    user: str
    question: str
    answer: str
    prompt_id: str = ""
    generator: str = ""
    status: str = ""
    answer_id: str = ""
    channel: str = ""
    message_ts: str = ""
    time: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["time"] = self.time or datetime.now(UTC).isoformat(timespec="seconds")
        return data


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, record: FeedbackRecord) -> dict[str, Any]:
        data = record.to_json()
        line = json.dumps(data, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
        return data

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every record so far (a torn last line, e.g. after a crash, is skipped)."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
