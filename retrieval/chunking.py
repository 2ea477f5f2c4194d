"""Articles -> chunks, sentence-aware, with exact character spans and deterministic ids."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from retrieval.types import Article, Chunk

# Paragraphs first, then sentence ends, then clauses, then words: a chunk boundary falls on the
# largest unit that fits, so chunks rarely cut a sentence in half. The separator is kept at the end
# of the piece it closes, so a chunk ends with its full stop rather than starting with it.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", '." ', '?" ', "; ", ", ", " ", ""]


class Chunker:
    def __init__(self, chunk_size: int = 1000, chunk_overlap: int = 200) -> None:
        if chunk_overlap >= chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=_SEPARATORS,
            keep_separator="end",
            strip_whitespace=True,
        )

    def split(self, article: Article) -> list[Chunk]:
        body = article.body
        chunks: list[Chunk] = []
        cursor = 0
        for index, text in enumerate(self._splitter.split_text(body)):
            # Locate the piece in the body to record its span. Searching forward from a little
            # before the previous chunk's end handles the overlap without ever matching an
            # earlier repeat of the same words.
            start = body.find(text, max(0, cursor - self.chunk_overlap - len(text)))
            if start < 0:  # pragma: no cover - the splitter only returns substrings
                start = body.find(text)
            end = start + len(text)
            cursor = end
            chunks.append(
                Chunk(
                    id=chunk_id(article.id, index, text),
                    article_id=article.id,
                    index=index,
                    text=text,
                    start=start,
                    end=end,
                )
            )
        return chunks

    def split_all(self, articles: Iterable[Article]) -> list[Chunk]:
        return [chunk for article in articles for chunk in self.split(article)]


def chunk_id(article_id: str, index: int, text: str) -> str:
    """Content-addressed id: the same article text always yields the same ids, an edit new ones."""
    digest = hashlib.sha256(f"{article_id}\x00{index}\x00{text}".encode()).hexdigest()
    return digest[:32]


def embedding_text(title: str, chunk_text: str) -> str:
    """The text embedded and keyword-indexed for a chunk: a chunk alone often lacks who and what."""
    return f"{title}\n\n{chunk_text}" if title else chunk_text
