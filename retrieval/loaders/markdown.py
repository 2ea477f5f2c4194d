"""``.md`` / ``.markdown``: optional YAML front matter, then the text.

Front matter between ``---`` lines may hold title, source, url, published_at, author; anything
else goes to ``Article.extra``. Without a title there, the first ``# heading`` (or else the first
line) is the title.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from retrieval.loaders.base import (
    TITLE_KEYS,
    BadFile,
    SourceFile,
    as_text,
    clean_title,
    decode_references,
    first,
    make_article,
    metadata,
    require_body,
)
from retrieval.types import Article

_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_H1_RE = re.compile(r"^\s{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1_RE = re.compile(r"^\s{0,3}=+\s*$")


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            break
    else:
        raise BadFile("front matter opens with '---' but has no closing '---' line")
    try:
        data = yaml.safe_load("\n".join(lines[1:i]))
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        at = f" at line {where.line + 2}" if where is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise BadFile(f"invalid YAML front matter{at}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadFile(f"front matter is a YAML {type(data).__name__}, expected key: value pairs")
    return data, "\n".join(lines[i + 1 :])


def _markdown_title(body: str) -> tuple[str, str]:
    """(title, body) from the first ``# heading``, or else the first line.

    The heading is removed from the body only when it opens the document, so that the body stays
    one contiguous piece of the file.
    """
    lines = body.strip().split("\n")
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _H1_RE.match(line)
        if match:
            if i == 0:
                return match.group(1).strip(), "\n".join(lines[1:]).strip()
            return match.group(1).strip(), body.strip()
    head = lines[0]
    if len(lines) > 1 and _SETEXT_H1_RE.match(lines[1]):
        return head.strip(), "\n".join(lines[2:]).strip()
    # Any heading marks on the first line (## Subtitle) are not part of the title.
    return head.lstrip("#").strip(), "\n".join(lines[1:]).strip()


def load_markdown(source: SourceFile) -> list[Article]:
    front, rest = _split_front_matter(source.read_text())
    rest = decode_references(rest)
    meta, extra = metadata(front)
    fm_title = clean_title(decode_references(as_text(first(front, TITLE_KEYS))))
    if fm_title:
        title, body = fm_title, rest.strip()
        # A document that repeats its front-matter title as a heading: drop the duplicate so the
        # title is not embedded twice.
        head, _, tail = body.partition("\n")
        match = _H1_RE.match(head)
        if match and clean_title(match.group(1)) == title:
            body = tail.strip()
    else:
        if not rest.strip():
            raise BadFile("Markdown file has front matter but no text")
        title, body = _markdown_title(rest)
        title = clean_title(title)
    require_body(title, body)
    article = make_article(
        article_id=source.id_base, title=title, body=body, source=source, meta=meta, extra=extra
    )
    return [article]
