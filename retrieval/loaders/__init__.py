"""Load news articles from a folder (recursively) or from a single file.

Formats, chosen by file suffix (case-insensitive), one module each:

* ``.txt`` (``txt``): the first non-empty line is the title, the rest is the body.
* ``.md`` / ``.markdown`` (``markdown``): optional YAML front matter, else the first heading.
* ``.json`` / ``.jsonl`` (``json_records``): article records; ``../shared/eval/bbc/corpus.jsonl``
  loads as it is.
* ``.html`` / ``.htm`` (``html_page``): title and main text extracted offline with trafilatura.
* ``.pdf`` (``pdf``) and ``.docx`` (``docx``): the text layer and document properties.

A new format is one module with a ``Loader`` function and one ``register_loader`` line below.

Ids are stable across runs: a single-article file is known by ``<label>/<relpath>``
(``seeds/000_9eb6b7462eed4b6d.txt``; the label defaults to the folder's name); a JSON/JSONL record
by its own ``id``, or else ``<label>/<relpath>#<n>``. The content hash covers title, body and the
citation metadata, so incremental ingest re-embeds exactly the articles whose text or metadata
changed.

Bad input never stops a load: a malformed, binary, undecodable, empty or huge file (or JSONL line)
becomes a ``LoadProblem`` with the path and a reason a person can act on; other types, special
files and links to folders are listed in ``LoadResult.skipped``; everything else still loads.
Hidden files and folders (``.git``, ``.DS_Store``) are never visited. Every string an article or
problem carries encodes as UTF-8 (bytes that are not UTF-8 in a name become U+FFFD). The body is
kept exactly as in the file apart from CRLF -> LF and stripping surrounding whitespace, because
chunk spans index into it.
"""

from __future__ import annotations

from retrieval.loaders.base import (
    DEFAULT_MAX_ARTICLE_BYTES,
    BadFile,
    BadRecord,
    Loader,
    SourceFile,
    content_hash,
    make_article,
)
from retrieval.loaders.docx import load_docx
from retrieval.loaders.folder import (
    ArticleStream,
    LoadResult,
    default_label,
    iter_article_files,
    iter_articles,
    load_articles,
    load_file,
)
from retrieval.loaders.html_page import load_html
from retrieval.loaders.json_records import load_json, load_jsonl
from retrieval.loaders.markdown import load_markdown
from retrieval.loaders.pdf import load_pdf
from retrieval.loaders.registry import (
    SUPPORTED_EXTENSIONS,
    get_loader,
    register_loader,
    supported_suffixes,
    unregister_loader,
)
from retrieval.loaders.txt import load_txt

__all__ = [
    "DEFAULT_MAX_ARTICLE_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ArticleStream",
    "BadFile",
    "BadRecord",
    "LoadResult",
    "Loader",
    "SourceFile",
    "content_hash",
    "default_label",
    "get_loader",
    "iter_article_files",
    "iter_articles",
    "load_articles",
    "load_file",
    "make_article",
    "register_loader",
    "supported_suffixes",
    "unregister_loader",
]

register_loader(".txt", load_txt)
register_loader((".md", ".markdown"), load_markdown)
register_loader(".json", load_json, single_article=False)
register_loader(".jsonl", load_jsonl, single_article=False)
register_loader((".html", ".htm"), load_html)
register_loader(".pdf", load_pdf)
register_loader(".docx", load_docx)
