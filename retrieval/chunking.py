"""Articles -> chunks, sentence-aware, with exact character spans and deterministic ids."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from retrieval.types import Article, Chunk

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

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
        self._built: RecursiveCharacterTextSplitter | None = None

    @property
    def _splitter(self) -> RecursiveCharacterTextSplitter:
        # Imported at the first split: langchain_text_splitters brings most of langchain_core
        # (~0.5 s cold, `python -X importtime`), which a process that only searches never needs.
        if self._built is None:
            from langchain_text_splitters import RecursiveCharacterTextSplitter

            self._built = RecursiveCharacterTextSplitter(
                chunk_size=self.chunk_size,
                chunk_overlap=self.chunk_overlap,
                separators=_SEPARATORS,
                keep_separator="end",
                strip_whitespace=True,
            )
        return self._built

    def split(self, article: Article) -> list[Chunk]:
        body = article.body
        chunks: list[Chunk] = []
        texts = self._splitter.split_text(body)
        starts = _locate(body, texts, self.chunk_overlap)
        for index, (text, start) in enumerate(zip(texts, starts, strict=True)):
            end = start + len(text)
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


_SPACE = re.compile(r"\s*")


def _locate(body: str, texts: Sequence[str], overlap: int) -> list[int]:
    """Where each of the splitter's pieces starts in ``body``.

    The splitter returns strings, not offsets, and an article may repeat a sentence, so the
    first match after the previous chunk is often an earlier repeat. What the splitter
    guarantees pins the right match down: each piece starts after the previous one, carries at
    most ``overlap`` characters over from it, and leaves out nothing but whitespace. A
    depth-first search over the matches allowed by those rules (latest first, which is the
    right one unless the text is periodic) finds spans that are in order and cover the body.
    """
    starts: list[int] = []
    options: list[list[int]] = []
    steps = 0
    i = 0
    while i < len(texts):
        steps += 1
        if steps > 20 * len(texts) + 100:  # pragma: no cover - pathological input
            return _locate_greedy(body, texts, overlap)
        if len(options) == i:  # first visit of piece i: list the admissible matches
            if i == 0:
                lo = _SPACE.match(body, 0).end()  # type: ignore[union-attr]
                hi = lo
            else:
                prev_end = starts[-1] + len(texts[i - 1])
                lo = max(starts[-1] + 1, prev_end - overlap)
                hi = _SPACE.match(body, prev_end).end()  # type: ignore[union-attr]
            found: list[int] = []
            pos = body.find(texts[i], lo, hi + len(texts[i]))
            while pos >= 0:
                found.append(pos)
                pos = body.find(texts[i], pos + 1, hi + len(texts[i]))
            options.append(found)
        if options[i]:
            del starts[i:]
            starts.append(options[i].pop())
            i += 1
        else:  # dead end: try the previous piece's next match
            options.pop()
            i -= 1
            if i < 0:  # pragma: no cover - the splitter only returns substrings
                return _locate_greedy(body, texts, overlap)
            del starts[i:]
    return starts


def _locate_greedy(body: str, texts: Sequence[str], overlap: int) -> list[int]:
    starts: list[int] = []
    prev_end = 0
    for text in texts:
        start = body.find(text, max(0, prev_end - overlap))
        if start < 0:
            start = body.find(text)
        starts.append(start)
        prev_end = start + len(text)
    return starts


def chunk_id(article_id: str, index: int, text: str) -> str:
    """Content-addressed id: the same article text always yields the same ids, an edit new ones."""
    digest = hashlib.sha256(f"{article_id}\x00{index}\x00{text}".encode()).hexdigest()
    return digest[:32]


def embedding_text(title: str, chunk_text: str) -> str:
    """The text embedded and keyword-indexed for a chunk: a chunk alone often lacks who and what."""
    return f"{title}\n\n{chunk_text}" if title else chunk_text
