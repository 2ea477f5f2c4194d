"""The ingest manifest: per article, its content hash, where it came from and its chunk ids.

Kept beside the store (``<store_path>/state/<collection>/manifest.json``) and replaced atomically
on every save, so a process killed at any point leaves either the old or the new file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

MANIFEST_VERSION = 1


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, Any] | None = None
        self._version: str | None = None

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if data.get("version") != MANIFEST_VERSION:
                data = {"version": MANIFEST_VERSION, "articles": {}}
            self._data = data
        return self._data

    @property
    def articles(self) -> dict[str, Any]:
        """Article id -> {hash, path, root, fingerprint, chunks, complete}."""
        articles: dict[str, Any] = self.data["articles"]
        return articles

    def chunk_count(self) -> int:
        return sum(len(e["chunks"]) for e in self.articles.values())

    def save(self) -> None:
        self._version = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(self.data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def chunk_set_version(self) -> str:
        """Identifies the set of chunks in the store; the keyword index must carry the same."""
        if self._version is None:
            h = hashlib.sha256()
            for aid in sorted(self.articles):
                h.update(aid.encode())
                # The chunk ids, not just the article hash: a new chunk size or model replaces
                # every chunk while the articles' hashes stay the same.
                for cid in self.articles[aid]["chunks"]:
                    h.update(cid.encode())
            self._version = h.hexdigest()[:24]
        return self._version
