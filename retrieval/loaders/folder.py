"""Walking a folder (or taking one file) and handing each file to the loader of its type.

The walk survives anything a disk holds: names that are not UTF-8, FIFOs, sockets and devices
(skipped by type, never opened), broken links and link loops, unreadable folders, huge files. Each
becomes a ``LoadProblem`` or a ``SkippedFile``, and everything else still loads.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.loaders.base import (
    DEFAULT_MAX_ARTICLE_BYTES,
    BadFile,
    SourceFile,
    display_path,
    problem,
    too_large,
    utf8_safe,
)
from retrieval.loaders.registry import get_loader, supported_suffixes
from retrieval.types import Article, LoadProblem, SkippedFile


@dataclass(frozen=True, slots=True)
class LoadResult:
    """Everything one load produced: the articles, and what could not be loaded and why."""

    articles: list[Article] = field(default_factory=list)
    # Files (or records) that could not be loaded, with a reason a person can act on.
    problems: list[LoadProblem] = field(default_factory=list)
    # Files of a supported type that the load tried (whether or not they yielded articles).
    files_read: int = 0
    # Files passed over on purpose: no loader for the type, special files, links to folders.
    skipped: list[SkippedFile] = field(default_factory=list)
    # Folders that could not be listed (as shown in problems): the articles under them are
    # unknown this time, not gone, so an ingest must not prune them.
    unreadable_folders: list[str] = field(default_factory=list)

    @property
    def skipped_other(self) -> int:
        """How many files were skipped (see ``skipped`` for which and why)."""
        return len(self.skipped)

    @property
    def problem_files(self) -> list[str]:
        """The distinct files with at least one problem, in the order first reported.

        A JSONL file with 30 bad lines is one file here, however many problems it produced.
        """
        folders = set(self.unreadable_folders)
        seen = dict.fromkeys(p.path for p in self.problems if p.path not in folders)
        return list(seen)


@dataclass(slots=True)
class _Collected:
    articles: list[Article] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    unreadable_folders: list[str] = field(default_factory=list)
    files_read: int = 0

    def result(self) -> LoadResult:
        return LoadResult(
            articles=self.articles,
            problems=self.problems,
            files_read=self.files_read,
            skipped=self.skipped,
            unreadable_folders=self.unreadable_folders,
        )


# --------------------------------------------------------------------------- walking


_FOLDER_LINK = "link to a folder; not followed"


def _walk(root: Path, out: _Collected) -> list[tuple[Path, str]]:
    """Every visible non-folder entry under ``root`` as (path, POSIX relpath), sorted by relpath.

    Links to folders are skipped, not followed (as ``os.walk`` does by default).
    """
    found: list[tuple[Path, str]] = []
    pending: list[tuple[Path, str]] = [(root, "")]
    while pending:
        folder, rel = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as err:
            shown = display_path(folder)
            out.unreadable_folders.append(shown)
            out.problems.append(
                problem(
                    folder, f"cannot read folder: {err.strerror or err}; its files were skipped"
                )
            )
            continue
        for entry in entries:
            # Hidden files and folders (.git, .DS_Store, editor swap files) are never articles.
            if entry.name.startswith("."):
                continue
            path, relpath = folder / entry.name, f"{rel}{entry.name}"
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
                is_folder_link = not is_folder and entry.is_symlink() and entry.is_dir()
            except OSError:
                is_folder = is_folder_link = False
            if is_folder:
                pending.append((path, relpath + "/"))
            elif is_folder_link:
                # Not followed: a link back up the tree would make the walk endless, and a link
                # elsewhere would load articles from outside the folder that was asked for.
                out.skipped.append(SkippedFile(display_path(path), _FOLDER_LINK))
            else:
                found.append((path, relpath))
    found.sort(key=lambda item: item[1])
    return found


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _special_kind(mode: int) -> str:
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def _stat_problem(path: Path, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "cannot read file: symbolic link loop"
    if err.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return (
            f"cannot read file: broken symbolic link (its target {display_path(target)} is missing)"
        )
    return f"cannot read file: {err.strerror or err}"


def _load_one(
    path: Path, id_base: str, out: _Collected, *, explicit: bool, max_article_bytes: int
) -> Iterator[Article]:
    """The articles of one file, as its loader yields them; never raises for anything about the
    file itself (problems go to ``out``)."""
    suffix = path.suffix.lower()
    entry = get_loader(suffix)
    if entry is None:
        kind = f"unsupported file type {utf8_safe(suffix)!r}" if suffix else "no file type suffix"
        if explicit:
            # A file named explicitly was meant to be loaded: say so as a problem.
            supported = ", ".join(sorted(supported_suffixes()))
            out.problems.append(problem(path, f"{kind} (supported: {supported})"))
        else:
            out.skipped.append(SkippedFile(display_path(path), kind))
        return
    # stat (not lstat): a link to a regular file is read like the file itself. Nothing is opened
    # before the type is known, so a FIFO cannot block the load.
    try:
        info = os.stat(path)
    except OSError as err:
        out.files_read += 1
        out.problems.append(problem(path, _stat_problem(path, err)))
        return
    if stat.S_ISDIR(info.st_mode):
        out.skipped.append(SkippedFile(display_path(path), _FOLDER_LINK))
        return
    if not stat.S_ISREG(info.st_mode):
        kind = _special_kind(info.st_mode)
        out.skipped.append(SkippedFile(display_path(path), f"special file ({kind}); not read"))
        return
    out.files_read += 1
    if entry.single_article and info.st_size > max_article_bytes:
        out.problems.append(problem(path, f"{too_large(info.st_size, max_article_bytes)}; skipped"))
        return
    source = SourceFile(
        path=path,
        id_base=utf8_safe(id_base),
        max_article_bytes=max_article_bytes,
        whole_file_limit=entry.single_article,
    )
    # A loader returns a list or yields (``.jsonl`` does, so a file of any size streams); the
    # articles it yielded before failing are kept.
    try:
        yield from entry.loader(source)
    except BadFile as err:
        out.problems.extend(source.problems)
        out.problems.append(problem(path, f"{err}; skipped"))
        return
    except Exception as err:
        # A parser library failing on one odd file must not cost the other files of the folder.
        out.problems.extend(source.problems)
        reason = f"the {suffix} loader failed ({type(err).__name__}: {err}); skipped"
        out.problems.append(problem(path, reason))
        return
    out.problems.extend(source.problems)


# --------------------------------------------------------------------------- entry points


def iter_article_files(root: Path) -> Iterator[Path]:
    """The files ``load_articles(root)`` would read, in the order it reads them."""
    root = Path(root)
    if not root.is_dir():
        if root.is_file() and get_loader(root.suffix):
            yield root
        return
    for path, _ in _walk(root, _Collected()):
        if get_loader(path.suffix) is None:
            continue
        try:
            if stat.S_ISREG(os.stat(path).st_mode):
                yield path
        except OSError:
            continue


def load_file(
    path: Path, relpath: str | None = None, *, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
) -> LoadResult:
    """Load the articles of one file; ``relpath`` (default: its name) is the id (base), as is."""
    path = Path(path)
    out = _Collected()
    id_base = relpath if relpath is not None else path.name
    out.articles.extend(
        _load_one(path, id_base, out, explicit=True, max_article_bytes=max_article_bytes)
    )
    return out.result()


def default_label(root: Path) -> str:
    """The id prefix of a load: the folder's name, or for one file the name of its folder."""
    folder = root if root.is_dir() else root.parent
    return display_path(Path(os.path.abspath(folder)).name)


class ArticleStream:
    """The articles under a folder (or in one file), one at a time, and what went wrong so far.

    Iterate it once. ``problems``, ``skipped``, ``files_read`` and ``unreadable_folders`` grow
    as it goes and are complete when the iteration ends. Memory holds one file's worth of
    articles at most for formats that return lists, one record for ``.jsonl``, plus the ids seen
    (to refuse a second article with the same id).
    """

    def __init__(self, root: Path, *, label: str | None, max_article_bytes: int) -> None:
        self.root = Path(root)
        if not os.path.lexists(self.root):
            raise FileNotFoundError(f"no such file or folder: {display_path(self.root)}")
        prefix = default_label(self.root) if label is None else label
        self._prefix = f"{prefix}/" if prefix else ""
        self._max = max_article_bytes
        self._out = _Collected()

    @property
    def problems(self) -> list[LoadProblem]:
        return self._out.problems

    @property
    def skipped(self) -> list[SkippedFile]:
        return self._out.skipped

    @property
    def files_read(self) -> int:
        return self._out.files_read

    @property
    def unreadable_folders(self) -> list[str]:
        return self._out.unreadable_folders

    def __iter__(self) -> Iterator[Article]:
        out = self._out
        if self.root.is_dir():
            files, explicit = _walk(self.root, out), False
        else:
            # A file named explicitly is always tried, so an unsupported type gets reported.
            files, explicit = [(self.root, self.root.name)], True
        first_seen: dict[str, str] = {}
        for path, relpath in files:
            for article in _load_one(
                path, self._prefix + relpath, out, explicit=explicit, max_article_bytes=self._max
            ):
                # Within one load an id names one article: the first is kept, later ones are
                # reported.
                earlier = first_seen.get(article.id)
                if earlier is not None:
                    reason = (
                        f"duplicate article id {article.id!r} (first loaded from {earlier}); "
                        "skipped"
                    )
                    out.problems.append(LoadProblem(article.path, reason))
                    continue
                first_seen[article.id] = article.path
                yield article


def iter_articles(
    root: Path,
    *,
    label: str | None = None,
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
) -> ArticleStream:
    """``load_articles`` one article at a time (see ``ArticleStream``): for ingest, which must
    not hold a multi-gigabyte input in memory. Raises ``FileNotFoundError`` at once if ``root``
    does not exist."""
    return ArticleStream(root, label=label, max_article_bytes=max_article_bytes)


def load_articles(
    root: Path,
    *,
    label: str | None = None,
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES,
) -> LoadResult:
    """Load every article under ``root`` (a folder, searched recursively, or a single file).

    Files are read in sorted order of their relative path, so ids, order and hashes are the same on
    every run. A file's articles are known as ``<label>/<relpath>`` (``label`` defaults to the
    folder's name; ``""`` for bare relpaths), so that two folders holding ``x.txt`` do not replace
    each other's story; JSON records with their own ``id`` keep it as it is.

    A single-article file larger than ``max_article_bytes`` (or a JSON record whose body is) is
    refused with a problem. Raises ``FileNotFoundError`` only when ``root`` itself does not exist;
    every problem with the content is reported in the result instead.
    """
    stream = iter_articles(root, label=label, max_article_bytes=max_article_bytes)
    articles = list(stream)
    return LoadResult(
        articles=articles,
        problems=stream.problems,
        files_read=stream.files_read,
        skipped=stream.skipped,
        unreadable_folders=stream.unreadable_folders,
    )
