"""PDF and Word documents: built for real in each test (fpdf2, pypdf, python-docx), then loaded."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from retrieval.loaders import SUPPORTED_EXTENSIONS, content_hash, load_articles
from tests.support import REPO
from tests.unit.loader_files import reasons, write

WHEN = dt.datetime(2024, 3, 5, 10, 0, tzinfo=dt.UTC)


def make_pdf(
    pages: list[list[str]], *, title: str = "", author: str = "", when: dt.datetime | None = None
) -> bytes:
    """A PDF with a text layer: one text line per entry, one page per list."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if when:
        pdf.set_creation_date(when)
    pdf.set_font("helvetica", size=12)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def encrypt(data: bytes, user_password: str) -> bytes:
    # RC4 needs no cryptography package, so the test runs wherever pypdf does.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PAGES = [
    ["Budget row deepens", "Ministers clashed on Tuesday over the budget."],
    ["The opposition called the plans reckless."],
]
PDF_BODY = (
    "Ministers clashed on Tuesday over the budget.\n\nThe opposition called the plans reckless."
)


# --------------------------------------------------------------------------- .pdf


def test_pdf_and_docx_are_supported() -> None:
    assert {".pdf", ".docx"} <= set(SUPPORTED_EXTENSIONS)


def test_pdf_title_author_and_date_from_the_document_information(tmp_path: Path) -> None:
    pages = [["Cover line", *PAGES[0][1:]], PAGES[1]]
    write(
        tmp_path / "paper.PDF",
        make_pdf(pages, title="Budget row deepens", author="Jane Doe", when=WHEN),
    )
    result = load_articles(tmp_path, label="")
    assert result.problems == []
    [article] = result.articles
    assert article.id == "paper.PDF"
    assert article.title == "Budget row deepens"
    # The first line is not the title here, so it stays; pages are joined with a blank line.
    assert article.body == "Cover line\n" + PDF_BODY
    assert article.author == "Jane Doe"
    assert article.published_at == "2024-03-05"
    assert article.path == str(tmp_path / "paper.PDF")
    assert article.content_hash == content_hash(
        article.title, article.body, author="Jane Doe", published_at="2024-03-05"
    )


def test_pdf_title_from_the_first_line_without_metadata(tmp_path: Path) -> None:
    write(tmp_path / "plain.pdf", make_pdf(PAGES))
    [article] = load_articles(tmp_path, label="").articles
    assert (article.title, article.body) == ("Budget row deepens", PDF_BODY)
    assert article.author == ""


def test_pdf_title_repeated_as_first_line_is_not_body(tmp_path: Path) -> None:
    write(tmp_path / "same.pdf", make_pdf(PAGES, title="Budget  row deepens"))
    [article] = load_articles(tmp_path, label="").articles
    assert (article.title, article.body) == ("Budget row deepens", PDF_BODY)


def test_scanned_encrypted_and_broken_pdfs_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "scan.pdf", make_pdf([[], []]))  # pages without text: what a scan looks like
    write(tmp_path / "locked.pdf", encrypt(make_pdf(PAGES), "secret"))
    write(tmp_path / "truncated.pdf", make_pdf(PAGES)[:200])
    write(tmp_path / "notes.pdf", b"%PDF-1.4")
    write(tmp_path / "ok.txt", "Ok\nBody")
    result = load_articles(tmp_path, label="")
    assert [a.id for a in result.articles] == ["ok.txt"]
    got = reasons(result)
    assert got["scan.pdf"] == [
        "no text layer (a scanned PDF?); run OCR on it first, e.g. with ocrmypdf; skipped"
    ]
    assert got["locked.pdf"] == [
        "encrypted PDF (it needs a password); save an unencrypted copy; skipped"
    ]
    assert got["truncated.pdf"][0].startswith("not a readable PDF (")
    assert got["notes.pdf"][0].startswith("not a readable PDF (")
    assert len(result.problem_files) == 4


def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path: Path) -> None:
    # Encrypted only to set permissions: any reader opens it, so should we.
    write(tmp_path / "perms.pdf", encrypt(make_pdf(PAGES), ""))
    [article] = load_articles(tmp_path, label="").articles
    assert (article.title, article.body) == ("Budget row deepens", PDF_BODY)


def test_pdf_over_the_limit_is_refused(tmp_path: Path) -> None:
    data = make_pdf(PAGES)
    write(tmp_path / "big.pdf", data)
    result = load_articles(tmp_path, max_article_bytes=len(data) - 1)
    assert result.articles == []
    assert reasons(result)["big.pdf"][0].startswith("file too large: ")
    assert f"({len(data)} bytes)" in reasons(result)["big.pdf"][0]


# --------------------------------------------------------------------------- .docx


def make_docx(
    paragraphs: list[tuple[str, str]],
    *,
    title: str = "",
    author: str = "",
    when: dt.datetime | None = None,
) -> bytes:
    """A Word document: (text, style) paragraphs and core properties."""
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style or None)
    props = document.core_properties
    props.title = title
    props.author = author
    if when:
        props.created = when
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


PARAS = [
    ("Ministers clashed on Tuesday over the budget.", ""),
    ("", ""),
    ("The opposition called the plans reckless.", ""),
]
DOCX_BODY = PDF_BODY


def test_docx_title_author_and_date_from_core_properties(tmp_path: Path) -> None:
    write(
        tmp_path / "story.docx",
        make_docx(
            [("Budget row deepens", "Title"), *PARAS],
            title="Budget row deepens",
            author="Jane Doe",
            when=WHEN,
        ),
    )
    result = load_articles(tmp_path, label="")
    assert result.problems == []
    [article] = result.articles
    assert article.id == "story.docx"
    assert (article.title, article.body) == ("Budget row deepens", DOCX_BODY)
    assert article.author == "Jane Doe"
    assert article.published_at == "2024-03-05"


def test_docx_title_from_a_title_or_heading_paragraph(tmp_path: Path) -> None:
    write(
        tmp_path / "heading.docx",
        make_docx([("Kicker line", ""), ("Budget row deepens", "Heading 1"), *PARAS]),
    )
    write(
        tmp_path / "styled.docx",
        make_docx([*PARAS[:1], ("Budget row deepens", "Title"), *PARAS[1:]]),
    )
    write(tmp_path / "plain.docx", make_docx([("Budget row deepens", ""), *PARAS]))
    articles = {a.id: a for a in load_articles(tmp_path, label="").articles}
    assert articles["heading.docx"].title == "Budget row deepens"
    # The paragraphs around the heading are the body, in document order.
    assert articles["heading.docx"].body == "Kicker line\n\n" + DOCX_BODY
    assert articles["styled.docx"].title == "Budget row deepens"
    assert articles["styled.docx"].body == DOCX_BODY
    assert (articles["plain.docx"].title, articles["plain.docx"].body) == (
        "Budget row deepens",
        DOCX_BODY,
    )


def test_broken_and_empty_docx_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "broken.docx", b"PK\x03\x04 not really a zip")
    write(tmp_path / "renamed.docx", b"Just text saved with the wrong suffix")
    write(tmp_path / "empty.docx", make_docx([("", "")]))
    write(tmp_path / "title_only.docx", make_docx([("Only a title", "Title")]))
    write(tmp_path / "ok.txt", "Ok\nBody")
    result = load_articles(tmp_path, label="")
    assert [a.id for a in result.articles] == ["ok.txt"]
    got = reasons(result)
    assert got["broken.docx"][0].startswith("not a readable Word document (")
    assert got["renamed.docx"][0].startswith("not a readable Word document (")
    assert got["empty.docx"] == ["Word document has no text; skipped"]
    assert got["title_only.docx"] == ["article has no body text (only a title); skipped"]


def test_document_libraries_are_imported_only_when_a_document_is_read() -> None:
    code = (
        "import sys, retrieval.loaders; "
        "print(sorted(m for m in ('pypdf', 'docx', 'trafilatura') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_a_document_named_as_the_root_is_labelled_by_its_folder(
    tmp_path: Path, suffix: str
) -> None:
    data = make_pdf(PAGES) if suffix == ".pdf" else make_docx([("Budget row deepens", ""), *PARAS])
    path = write(tmp_path / "desk" / f"story{suffix}", data)
    [article] = load_articles(path).articles
    assert article.id == f"desk/story{suffix}"
    assert article.title == "Budget row deepens"
