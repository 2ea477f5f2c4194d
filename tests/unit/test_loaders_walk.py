"""The folder walk survives anything a disk holds, and says what it skipped and why."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.loaders import (
    DEFAULT_MAX_ARTICLE_BYTES,
    SUPPORTED_EXTENSIONS,
    SourceFile,
    content_hash,
    iter_article_files,
    load_articles,
    make_article,
    register_loader,
    supported_suffixes,
    unregister_loader,
)
from retrieval.types import Article
from tests.unit.loader_files import BODY, assert_utf8, reasons, skipped, write


def titles(articles: list[Article]) -> list[str]:
    return [a.title for a in articles]


# --------------------------------------------------------------------------- names and text


def test_file_name_that_is_not_utf8_loads_with_the_rest(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    for name, content in (
        (b"bad\xffname.txt", b"Odd name\nRead through its real path."),
        (b"empty\xfe.txt", b""),
        (b"tool\xfe.exe", b"MZ"),
    ):
        fd = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, content)
        os.close(fd)
    write(tmp_path / "good.txt", f"Good story\n{BODY}")

    result = load_articles(tmp_path, label="")
    assert_utf8(result)
    assert titles(result.articles) == ["Odd name", "Good story"]
    odd = result.articles[0]
    assert odd.id == "bad\ufffdname.txt"
    assert odd.body == "Read through its real path."
    assert odd.path == str(tmp_path / "bad\ufffdname.txt")
    assert odd.content_hash == content_hash("Odd name", "Read through its real path.")
    # Problems and skips name the file printably too.
    assert reasons(result) == {"empty\ufffd.txt": ["empty file; skipped"]}
    assert skipped(result) == {"tool\ufffd.exe": "unsupported file type '.exe'"}


def test_lone_surrogate_in_json_strings_becomes_a_replacement_character(tmp_path: Path) -> None:
    # json.dumps writes the lone surrogate as the escape "\ud83d", which json.loads turns back
    # into a str that cannot be encoded as UTF-8.
    record = {"id": "s-\ud83d", "title": "Emoji \ud83d", "body": "Body \ud83d.", "tag": "x\ud83d"}
    write(tmp_path / "feed.jsonl", json.dumps(record) + "\n")
    write(tmp_path / "one.json", json.dumps({"title": "T\ud83d", "body": "B", "\ud83d": 1}))
    write(tmp_path / "good.txt", f"Good story\n{BODY}")

    result = load_articles(tmp_path)
    assert result.problems == []
    assert_utf8(result)
    first, good, one = result.articles  # in the order of their paths
    assert (first.id, first.title, first.body) == ("s-\ufffd", "Emoji \ufffd", "Body \ufffd.")
    assert first.extra == {"tag": "x\ufffd"}
    assert first.content_hash == content_hash("Emoji \ufffd", "Body \ufffd.")
    assert good.title == "Good story"
    assert (one.title, one.extra) == ("T\ufffd", {"\ufffd": 1})


# --------------------------------------------------------------------------- special files


@pytest.mark.timeout(20)
def test_special_files_are_skipped_by_type_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening this for reading would block forever
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "sock.md"))
    (tmp_path / "null.txt").symlink_to("/dev/null")
    write(tmp_path / "good.txt", f"Good story\n{BODY}")
    try:
        result = load_articles(tmp_path)
    finally:
        server.close()
    assert titles(result.articles) == ["Good story"]
    assert result.problems == []
    assert skipped(result) == {
        "pipe.txt": "special file (a FIFO (named pipe)); not read",
        "sock.md": "special file (a socket); not read",
        "null.txt": "special file (a character device); not read",
    }
    assert result.files_read == 1
    assert list(iter_article_files(tmp_path)) == [tmp_path / "good.txt"]


@pytest.mark.timeout(20)
def test_fifo_named_as_the_root_is_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jsonl")
    result = load_articles(tmp_path / "pipe.jsonl")
    assert result.articles == [] and result.problems == []
    assert skipped(result) == {"pipe.jsonl": "special file (a FIFO (named pipe)); not read"}


def test_broken_links_and_link_loops_are_reported(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    write(tmp_path / "sub" / "story.txt", f"Story\n{BODY}")
    # A link back up the tree: followed, the walk would never end.
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")

    result = load_articles(tmp_path)
    assert titles(result.articles) == ["Ok", "Story"]
    got = reasons(result)
    assert got["dangling.txt"] == [
        f"cannot read file: broken symbolic link (its target {tmp_path / 'missing.txt'} is missing)"
    ]
    assert got["loop.md"] == ["cannot read file: symbolic link loop"]
    assert skipped(result) == {"up": "link to a folder; not followed"}


# --------------------------------------------------------------------------- unreadable folders


@pytest.fixture
def locked_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A subfolder that cannot be listed. Tests run as root, where chmod 000 stops nothing, so
    listing it is refused the way the kernel would refuse it."""
    locked = tmp_path / "locked"
    write(locked / "kept.txt", f"Kept\n{BODY}")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    yield locked


def test_unreadable_folder_is_reported_and_listed(tmp_path: Path, locked_folder: Path) -> None:
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    result = load_articles(tmp_path)
    assert titles(result.articles) == ["Ok"]
    assert result.unreadable_folders == [str(locked_folder)]
    [problem] = result.problems
    assert problem.path == str(locked_folder)
    assert problem.reason == "cannot read folder: Permission denied; its files were skipped"
    # A folder is not a file with problems.
    assert result.problem_files == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_chmod_000_folder_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    write(locked / "kept.txt", f"Kept\n{BODY}")
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    locked.chmod(0)
    try:
        result = load_articles(tmp_path)
    finally:
        locked.chmod(stat.S_IRWXU)
    assert titles(result.articles) == ["Ok"]
    assert result.unreadable_folders == [str(locked)]


# --------------------------------------------------------------------------- huge files


def test_default_limit_is_five_megabytes() -> None:
    assert DEFAULT_MAX_ARTICLE_BYTES == 5_000_000


@pytest.mark.timeout(30)
def test_huge_single_article_file_is_refused_without_being_read(tmp_path: Path) -> None:
    # Sparse: 6 GB on paper, nothing on disk. Reading it would take minutes and the memory.
    with (tmp_path / "huge.txt").open("wb") as fh:
        fh.truncate(6_000_000_000)
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    started = time.perf_counter()
    result = load_articles(tmp_path)
    assert time.perf_counter() - started < 5
    assert titles(result.articles) == ["Ok"]
    assert reasons(result) == {
        "huge.txt": [
            "file too large: 6000.0 MB (6000000000 bytes), over the limit of 5.0 MB for one "
            "article; raise the limit with NEWSDESK_MAX_ARTICLE_MB; skipped"
        ]
    }
    assert result.files_read == 2


def test_limit_is_a_parameter_for_every_single_article_format(tmp_path: Path) -> None:
    write(tmp_path / "long.md", "# Long\n" + "word " * 400)  # 2,007 bytes
    write(tmp_path / "short.txt", f"Short\n{BODY}")
    result = load_articles(tmp_path, max_article_bytes=2_000)
    assert titles(result.articles) == ["Short"]
    [reason] = reasons(result)["long.md"]
    assert reason.startswith(
        "file too large: 2.0 KB (2007 bytes), over the limit of 2.0 KB for one article"
    )
    assert len(load_articles(tmp_path, max_article_bytes=3_000).articles) == 2


def test_json_records_over_the_limit_are_refused_one_by_one(tmp_path: Path) -> None:
    big = {"id": "big", "title": "Big", "body": "\u00e9" * 600}  # 1,200 bytes as UTF-8
    small = {"id": "small", "title": "Small", "body": "x" * 900}
    write(tmp_path / "feed.jsonl", f"{json.dumps(big)}\n{json.dumps(small)}\n")
    write(tmp_path / "list.json", json.dumps([small | {"id": "s2"}, big | {"id": "b2"}]))
    write(tmp_path / "one.json", json.dumps(big | {"id": "b3"}))
    result = load_articles(tmp_path, max_article_bytes=1_000)
    assert [a.id for a in result.articles] == ["small", "s2"]
    limit = "over the limit of 1.0 KB for one article"
    assert [(Path(p.path).name, p.reason.split(" (")[0]) for p in result.problems] == [
        ("feed.jsonl", "line 1: body too large: 1.2 KB"),
        ("list.json", "record 2: body too large: 1.2 KB"),
        ("one.json", "body too large: 1.2 KB"),
    ]
    assert all(limit in p.reason for p in result.problems)


# --------------------------------------------------------------------------- skipped and counted


def test_skipped_files_are_named_with_the_reason(tmp_path: Path) -> None:
    write(tmp_path / "setup.exe", b"MZ")
    write(tmp_path / "sub" / "README", "not an article")
    write(tmp_path / "photo.JPG", b"\xff\xd8")
    write(tmp_path / ".DS_Store", b"\x00")
    write(tmp_path / ".git" / "HEAD.txt", "Hidden\nnever read")
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    result = load_articles(tmp_path)
    assert titles(result.articles) == ["Ok"]
    assert [(Path(s.path).name, s.reason) for s in result.skipped] == [
        ("photo.JPG", "unsupported file type '.jpg'"),
        ("setup.exe", "unsupported file type '.exe'"),
        ("README", "no file type suffix"),
    ]
    assert result.skipped_other == 3
    assert result.skipped[0].path == str(tmp_path / "photo.JPG")


def test_problem_files_counts_files_not_problems(tmp_path: Path) -> None:
    write(tmp_path / "junk.jsonl", "oops\n" * 3 + json.dumps({"title": "T", "body": "B"}) + "\n")
    write(tmp_path / "broken.json", "{")
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    result = load_articles(tmp_path)
    assert len(result.problems) == 4
    assert result.problem_files == [str(tmp_path / "broken.json"), str(tmp_path / "junk.jsonl")]


def test_a_loader_that_crashes_costs_only_its_file(tmp_path: Path) -> None:
    def crash(source: SourceFile) -> list[Article]:
        raise RuntimeError("parser bug")

    write(tmp_path / "x.boom", "anything")
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    register_loader(".boom", crash)
    try:
        result = load_articles(tmp_path)
    finally:
        unregister_loader(".boom")
    assert titles(result.articles) == ["Ok"]
    assert reasons(result) == {
        "x.boom": ["the .boom loader failed (RuntimeError: parser bug); skipped"]
    }


# --------------------------------------------------------------------------- the registry


def test_a_new_format_is_one_registration(tmp_path: Path) -> None:
    """A toy format: ``Title: ...`` on the first line, the body after it."""

    def load_news(source: SourceFile) -> list[Article]:
        head, _, body = source.read_text().partition("\n")
        title = head.removeprefix("Title: ")
        return [make_article(article_id=source.id_base, title=title, body=body, source=source)]

    write(tmp_path / "wire" / "story.NEWS", f"Title: Wire story\n{BODY}")
    write(tmp_path / "ok.txt", f"Ok\n{BODY}")
    assert ".news" not in SUPPORTED_EXTENSIONS

    register_loader(".news", load_news)
    try:
        assert ".news" in SUPPORTED_EXTENSIONS
        assert ".news" in supported_suffixes()
        result = load_articles(tmp_path, label="")
    finally:
        unregister_loader(".news")

    assert result.problems == [] and result.skipped == []
    wire = result.articles[1]
    assert (wire.id, wire.title, wire.body) == ("wire/story.NEWS", "Wire story", BODY)
    # Unregistered again: the file is one of the skipped ones.
    assert ".news" not in SUPPORTED_EXTENSIONS
    assert skipped(load_articles(tmp_path)) == {"story.NEWS": "unsupported file type '.news'"}
