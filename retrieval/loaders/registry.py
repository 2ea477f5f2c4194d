"""Which loader reads which file suffix.

Adding a format is one module with a loader function and one ``register_loader`` line in
``retrieval/loaders/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from retrieval.loaders.base import Loader


@dataclass(frozen=True, slots=True)
class LoaderEntry:
    loader: Loader
    # True: one file is one article, and a file over the size limit is refused before it is read.
    # False: the file holds records (JSON), and the limit applies to each record's body.
    single_article: bool = True


_LOADERS: dict[str, LoaderEntry] = {}


def _normalise(suffix: str) -> str:
    suffix = suffix.strip().lower()
    if not suffix.startswith("."):
        suffix = "." + suffix
    if suffix == "." or "/" in suffix:
        raise ValueError(f"not a file suffix: {suffix!r}")
    return suffix


def _as_suffixes(suffixes: str | Iterable[str]) -> list[str]:
    return [_normalise(s) for s in ([suffixes] if isinstance(suffixes, str) else suffixes)]


def register_loader(
    suffixes: str | Iterable[str], loader: Loader, *, single_article: bool = True
) -> None:
    """Read files ending in ``suffixes`` (case-insensitive, e.g. ``".md"``) with ``loader``.

    Registering a suffix again replaces its loader, so a deployment can override a format.
    """
    for suffix in _as_suffixes(suffixes):
        _LOADERS[suffix] = LoaderEntry(loader, single_article)


def unregister_loader(suffixes: str | Iterable[str]) -> None:
    for suffix in _as_suffixes(suffixes):
        _LOADERS.pop(suffix, None)


def get_loader(suffix: str) -> LoaderEntry | None:
    """The loader for a suffix such as ``".PDF"`` (any case), or None."""
    return _LOADERS.get(suffix.lower())


def supported_suffixes() -> frozenset[str]:
    return frozenset(_LOADERS)


class _SupportedSuffixes(AbstractSet[str]):
    """A read-only, live view of the registered suffixes: never out of step with the registry."""

    def __contains__(self, suffix: object) -> bool:
        return isinstance(suffix, str) and suffix.lower() in _LOADERS

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(_LOADERS))

    def __len__(self) -> int:
        return len(_LOADERS)

    def __repr__(self) -> str:
        return f"SUPPORTED_EXTENSIONS({sorted(_LOADERS)})"


SUPPORTED_EXTENSIONS: AbstractSet[str] = _SupportedSuffixes()
