"""``newsdesk doctor``: find what is damaged or out of step in a store, and repair it.

Each finding names what is wrong and how it is repaired. ``repair`` re-ingests the folders whose
articles are half-written or lost (when they exist on this host), finishes an ingest that stopped,
rebuilds the keyword index cache and removes files earlier versions kept beside the store.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.catalog import INGEST_KEY, VERSION_KEY, scan, store_version
from retrieval.knowledge_base import KnowledgeBase, StoreLost


@dataclass
class Finding:
    what: str
    repair: str
    # Folders whose ingest would repair it.
    roots: list[str] = field(default_factory=list)


def examine(kb: KnowledgeBase) -> list[Finding]:
    """Everything wrong with ``kb``'s store and this host's cache of it (reads every chunk's
    metadata once, no texts or vectors)."""
    findings: list[Finding] = []
    store = kb.store
    state = kb.state_folder
    try:
        kb.check_not_lost()
    except StoreLost as exc:
        cached = kb.keywords.loaded
        findings.append(
            Finding(str(exc), "ingest the folders again", cached.roots if cached else [])
        )
    old_manifest = state / "manifest.json"
    if old_manifest.exists():
        findings.append(
            Finding(
                f"{old_manifest} is left from an earlier version; the store itself now records "
                "what it holds",
                "delete it",
            )
        )
    kb.keywords.loaded  # noqa: B018 - reads the cache, noting a problem with it
    if kb.keywords.problem:
        findings.append(Finding(kb.keywords.problem, "rebuild it from the store"))
    if not store.exists():
        return findings
    info = store.info()
    holder = store.ingest_holder()
    writer = kb.unfinished_ingest()
    if writer:
        findings.append(
            Finding(
                f"an ingest into the {store.where} did not finish: {writer}",
                "run the ingest again (it carries on where it stopped)",
            )
        )
    articles = [a for a in scan(store).values() if not a.complete]
    # Chunks written before the store recorded ingest's fields: not damaged, but the next ingest
    # of their folder writes them once more.
    earlier = [a for a in articles if a.fingerprints == {""}]
    if earlier:
        findings.append(
            Finding(
                f"{len(earlier)} article(s) were written by an earlier version of Newsdesk, "
                "without the fields incremental ingest now reads from the store",
                "ingest their folders again (each is embedded once more)",
            )
        )
    articles = [a for a in articles if a.fingerprints != {""}]
    half = {a.root for a in articles}
    if half:
        findings.append(
            Finding(
                f"{len(articles)} article(s) are half-written (chunks of two versions, or "
                f"missing chunks), from {', '.join(sorted(r or '?' for r in half))}",
                "ingest those folders again",
                sorted(r for r in half if r),
            )
        )
    if holder is None and not kb.keywords.problem and kb.keywords.is_stale():
        cached = kb.keywords.loaded
        findings.append(
            Finding(
                f"this host's keyword index cache ({cached.stamp if cached else 'none'}) is not "
                f"that of the store (version {store_version(info)})",
                "rebuild it from the store",
            )
        )
    return findings


@dataclass
class Repair:
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)


def repair(kb: KnowledgeBase, findings: list[Finding]) -> Repair:
    out = Repair()
    state = kb.state_folder
    old_manifest = state / "manifest.json"
    if old_manifest.exists():
        old_manifest.unlink()
        out.done.append(f"deleted {old_manifest}")
    roots = sorted({r for f in findings for r in f.roots})
    for root in roots:
        if not Path(root).exists():
            out.not_done.append(f"{root} is not on this host: run `newsdesk ingest {root}` there")
            continue
        report = kb.ingest(Path(root))
        out.done.append(
            f"ingested {root} again: {report.articles_added} added, "
            f"{report.articles_updated} rewritten, {report.articles_deleted} removed"
        )
    if kb.store.exists():
        info = kb.store.info()
        if info.get(INGEST_KEY) and kb.store.ingest_holder() is None:
            # Nothing half-written is left (or it was ingested again above): clear the mark.
            info.update({INGEST_KEY: "", VERSION_KEY: store_version(info) + 1})
            kb.store.set_info(info)
            out.done.append("cleared the mark of the ingest that did not finish")
    if not out.not_done and (kb.keywords.problem or kb.keywords.is_stale()):
        shutil.rmtree(kb.keywords.folder, ignore_errors=True)
        kb.keywords.refresh(force=True)
        out.done.append("rebuilt the keyword index cache from the store")
    return out
