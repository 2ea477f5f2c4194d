"""What every search step passes on: ranked candidates, and the retriever protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from retrieval.stores import StoredChunk

SearchMode = Literal["hybrid", "dense", "keyword"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A chunk a retriever ranked, with its score and each retriever's own score by name.

    ``chunk`` is ``None`` when the retriever knows only the id; the pipeline fetches it.
    """

    id: str
    score: float
    chunk: StoredChunk | None = None
    scores: dict[str, float] = field(default_factory=dict)


class Retriever(Protocol):
    """Ranks up to ``n`` chunks for a query, best first."""

    name: str

    def retrieve(self, query: str, n: int) -> list[Candidate]: ...
