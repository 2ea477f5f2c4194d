"""``.pdf``: the text layer, with title, author and date from the document information.

The title is the document's /Title when it has one, else the first line of text; the pages'
texts are joined with a blank line. A PDF without a text layer (a scan) is reported, so that a
person knows to run OCR; an encrypted or broken PDF is reported, never raised.
"""

from __future__ import annotations

import io
from typing import Any

from retrieval.loaders.base import (
    BadFile,
    SourceFile,
    as_text,
    clean_title,
    date_text,
    make_article,
    normalise_newlines,
    require_body,
    split_first_line,
)
from retrieval.types import Article

ENCRYPTED = "encrypted PDF (it needs a password); save an unencrypted copy"
NO_TEXT_LAYER = "no text layer (a scanned PDF?); run OCR on it first, e.g. with ocrmypdf"


def _info(reader: Any, name: str) -> Any:
    # A malformed date or string in the document information is not worth losing the text over.
    try:
        return getattr(reader.metadata, name, None) if reader.metadata is not None else None
    except Exception:
        return None


def load_pdf(source: SourceFile) -> list[Article]:
    data = source.read_bytes()
    # pypdf is imported only when a PDF is read: most corpora have none.
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    # pypdf raises many exception types on damaged files (PdfReadError, ValueError, KeyError,
    # struct and zlib errors...); every one of them means "this PDF cannot be read".
    try:
        reader = PdfReader(io.BytesIO(data))
        # Many PDFs are encrypted with an empty password only to set permissions: readable.
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadFile(ENCRYPTED)
        texts = [(page.extract_text() or "").strip() for page in reader.pages]
    except BadFile:
        raise
    except FileNotDecryptedError:
        raise BadFile(ENCRYPTED) from None
    except DependencyError as err:
        raise BadFile(f"encrypted PDF that pypdf cannot decrypt here: {err}") from None
    except Exception as err:
        raise BadFile(f"not a readable PDF ({type(err).__name__}: {err})") from None
    if not texts:
        raise BadFile("PDF has no pages")
    text = normalise_newlines("\n\n".join(t for t in texts if t))
    if not text.strip():
        raise BadFile(NO_TEXT_LAYER)

    title = clean_title(as_text(_info(reader, "title")))
    head, rest = split_first_line(text)
    if not title:
        title, body = clean_title(head), rest
    elif clean_title(head) == title:
        body = rest  # the first line repeats the title
    else:
        body = text.strip()
    require_body(title, body)
    meta = {
        "author": as_text(_info(reader, "author")),
        "published_at": date_text(_info(reader, "creation_date")),
    }
    return [
        make_article(article_id=source.id_base, title=title, body=body, source=source, meta=meta)
    ]
