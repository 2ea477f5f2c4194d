"""``.txt``: the first non-empty line is the title, the rest is the body."""

from __future__ import annotations

from retrieval.loaders.base import (
    SourceFile,
    clean_title,
    decode_references,
    make_article,
    require_body,
    split_first_line,
)
from retrieval.types import Article


def load_txt(source: SourceFile) -> list[Article]:
    title, body = split_first_line(decode_references(source.read_text()))
    title = clean_title(title)
    require_body(title, body)
    return [make_article(article_id=source.id_base, title=title, body=body, source=source)]
