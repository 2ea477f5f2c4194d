"""``.docx``: paragraphs, with title, author and date from the core properties.

The title is the core properties' title, else the first paragraph styled Title or Heading 1, else
the first non-empty paragraph; the body is the other paragraphs joined with blank lines. Tables,
headers and footnotes are not read: a news story's text is its paragraphs.
"""

from __future__ import annotations

import io

from retrieval.loaders.base import (
    BadFile,
    SourceFile,
    as_text,
    clean_title,
    date_text,
    make_article,
    normalise_newlines,
    require_body,
)
from retrieval.types import Article

_TITLE_STYLES = {"title", "heading 1"}


def load_docx(source: SourceFile) -> list[Article]:
    data = source.read_bytes()
    # python-docx (and lxml) are imported only when a document is read.
    import docx

    # A damaged file fails in the zip, XML or package layer with many exception types; every one
    # means "this document cannot be read".
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [
            (normalise_newlines(p.text).strip(), (p.style.name if p.style else "") or "")
            for p in document.paragraphs
        ]
        props = document.core_properties
        core_title, author, created = props.title, props.author, props.created
    except Exception as err:
        raise BadFile(f"not a readable Word document ({type(err).__name__}: {err})") from None
    paragraphs = [(text, style) for text, style in paragraphs if text]
    if not paragraphs:
        raise BadFile("Word document has no text")

    title = clean_title(as_text(core_title))
    if title:
        # The document usually repeats its title as its first paragraph: not body text.
        if clean_title(paragraphs[0][0]) == title:
            paragraphs = paragraphs[1:]
    else:
        at = next((i for i, (_, s) in enumerate(paragraphs) if s.lower() in _TITLE_STYLES), 0)
        title = clean_title(paragraphs[at][0])
        paragraphs = paragraphs[:at] + paragraphs[at + 1 :]
    body = "\n\n".join(text for text, _ in paragraphs)
    require_body(title, body)
    meta = {"author": as_text(author), "published_at": date_text(created)}
    return [
        make_article(article_id=source.id_base, title=title, body=body, source=source, meta=meta)
    ]
