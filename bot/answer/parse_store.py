"""spaCy parses of passage sentences kept on disk, so that a sentence is parsed once per machine.

Parsing the retrieved sentences was most of an answer's time (the decide stage: tok2vec, tagger,
parser, lemmatizer and NER over 40-90 sentences; ``bench/answers.py``), and a parse is a
function of the sentence's text and the pipeline only. :class:`ParseStore` keeps each parse as
spaCy's own serialisation (a one-Doc ``DocBin``: tokens, tags, lemmas, dependencies, entities,
sentence starts; not the tok2vec tensor, which nothing reads) in a
:class:`bot.answer.text_blobs.TextBlobs` file named after the pipeline (model name and version,
spaCy's version). It is filled as questions are answered (the core writes what it parsed) and
for a whole store by ``newsdesk prepare``. A row that does not deserialise, or holds another
sentence's parse, is logged and the sentence parsed afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answer.text_blobs import TextBlobs, safe_name

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger("newsdesk.parses")


def pipeline_name(nlp: Language) -> str:
    """A file-name-safe name of the pipeline and the spaCy that runs it."""
    import spacy

    meta = nlp.meta
    raw = f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"
    return safe_name(f"{raw}-spacy{spacy.__version__}")


class ParseStore:
    """Parses by sentence text in ``folder/<pipeline>.sqlite3`` (see the module docstring)."""

    def __init__(self, folder: Path, nlp: Language) -> None:
        self.nlp = nlp
        self.blobs = TextBlobs(Path(folder) / f"{pipeline_name(nlp)}.sqlite3", "parse store")
        self.path = self.blobs.path

    def get_many(self, texts: Iterable[str]) -> dict[str, Doc]:
        """The stored parse of each of ``texts`` that has one."""
        found: dict[str, Doc] = {}
        for text, blob in self.blobs.get_many(texts).items():
            doc = self._load(blob, text)
            if doc is not None:
                found[text] = doc
        return found

    def _load(self, blob: bytes, text: str) -> Doc | None:
        from spacy.tokens import DocBin

        try:
            docs = list(DocBin().from_bytes(blob).get_docs(self.nlp.vocab))
        except Exception as exc:  # a damaged row: parsed afresh
            log.warning("A stored parse could not be read (%s); parsing the sentence again", exc)
            return None
        # A digest collision or a row written for other text: never trust it.
        if len(docs) != 1 or docs[0].text != text:
            return None
        return docs[0]

    def put_many(self, docs: Sequence[Doc]) -> int:
        """Store these parses (a sentence already stored is left as it is); how many were new."""
        from spacy.tokens import DocBin

        rows = []
        for doc in docs:
            binned = DocBin(store_user_data=False)
            binned.add(doc)
            rows.append((doc.text, binned.to_bytes()))
        return self.blobs.put_many(rows)

    def known(self, texts: Iterable[str]) -> set[str]:
        """Which of ``texts`` have a stored parse (without reading the parses)."""
        return self.blobs.known(texts)

    def close(self) -> None:
        self.blobs.close()

    def __len__(self) -> int:
        return len(self.blobs)
