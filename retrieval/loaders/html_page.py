"""``.html`` / ``.htm``: title and main text extracted offline with trafilatura."""

from __future__ import annotations

import html
import re

from retrieval.loaders.base import (
    BadFile,
    SourceFile,
    as_text,
    clean_title,
    make_article,
    require_body,
)
from retrieval.types import Article

_TITLE_TAG_RE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def load_html(source: SourceFile) -> list[Article]:
    text = source.read_text(is_html=True)
    # trafilatura pulls in lxml, htmldate and justext: import it only when a page is read.
    import trafilatura

    doc = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Dates only from the page's metadata and markup, never guessed from arbitrary text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    extracted = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not extracted:
        raise BadFile("no article text found in the HTML page")
    title = clean_title(getattr(doc, "title", None) or "")
    if not title:
        match = _TITLE_TAG_RE.search(text)
        title = clean_title(html.unescape(match.group(1))) if match else ""
    head, _, tail = extracted.partition("\n")
    if not title:
        title, body = clean_title(head), tail.strip()
    elif clean_title(head) == title:
        # trafilatura keeps the page's <h1> as the first line; it is the title, not body text.
        body = tail.strip()
    else:
        body = extracted
    require_body(title, body)
    meta = {
        "source": as_text(getattr(doc, "sitename", None)),
        "url": as_text(getattr(doc, "url", None)),
        "published_at": as_text(getattr(doc, "date", None)),
        "author": as_text(getattr(doc, "author", None)),
    }
    return [
        make_article(article_id=source.id_base, title=title, body=body, source=source, meta=meta)
    ]
