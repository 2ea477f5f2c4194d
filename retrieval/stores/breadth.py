"""A Chroma collection's HNSW search breadth (``ef_search``): read it, and set it."""

from __future__ import annotations

from typing import Any

from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

# Setting the breadth right after the store opens can meet "database is locked" (an upgrade to
# a write that Chroma's SQLite busy timeout does not wait for). On a loaded machine it happened
# now and then, and the store was then searched at its old breadth; a retry a moment later
# succeeds (tests/integration/test_hnsw_breadth.py).
ATTEMPTS = 5


def hnsw_of(collection: Any) -> dict[str, Any]:
    """The collection's HNSW configuration ({} when it has none)."""
    return dict((getattr(collection, "configuration", None) or {}).get("hnsw") or {})


def ef_search_of(collection: Any) -> int | None:
    """The collection's HNSW ``ef_search`` (None when it has no HNSW configuration)."""
    value = hnsw_of(collection).get("ef_search")
    return int(value) if value is not None else None


def _locked(exc: BaseException) -> bool:
    return "database is locked" in str(exc).lower()


@retry(
    retry=retry_if_exception(_locked),
    stop=stop_after_attempt(ATTEMPTS),
    wait=wait_exponential(multiplier=0.05, max=1.0),
    reraise=True,
)
def set_breadth(collection: Any, ef_search: int) -> None:
    """Set the collection's ``ef_search``, again a moment later while the database is locked."""
    collection.modify(configuration={"hnsw": {"ef_search": ef_search}})
