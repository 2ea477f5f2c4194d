"""Ingest and search work with every network connection refused, from a cold start.

The check runs in a fresh interpreter that installs a socket guard before anything else is
imported, so loading torch, sentence-transformers, the packaged model and Chroma all happen
under it. The guard refuses (and counts) every connection, datagram and name lookup that is not
on a Unix socket. ``HF_HUB_OFFLINE`` and friends are removed from the child's environment and
its Hugging Face cache is an empty folder, so the test does not pass merely because the
developer configured their machine well. Where unprivileged network namespaces are available
the child also runs in one with no interfaces but loopback: then even native code (Chroma's
Rust core, tokenizers) has no network to reach.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, SEEDS

CHILD = r"""
import json, socket, sys, traceback

attempts = []

def _refuse(what, detail):
    attempts.append({"what": what, "detail": repr(detail)[:200],
                     "stack": "".join(traceback.format_stack(limit=12))})
    raise OSError(f"network access blocked by the offline test: {what} {detail!r}")

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto

def connect(self, address):
    if self.family == socket.AF_UNIX:
        return _connect(self, address)
    _refuse("connect", address)

def connect_ex(self, address):
    if self.family == socket.AF_UNIX:
        return _connect_ex(self, address)
    _refuse("connect_ex", address)

def sendto(self, *args):
    if self.family == socket.AF_UNIX:
        return _sendto(self, *args)
    _refuse("sendto", args[-1])

def create_connection(address, *args, **kwargs):
    _refuse("create_connection", address)

def getaddrinfo(host, *args, **kwargs):
    _refuse("getaddrinfo", host)

socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.create_connection = create_connection
socket.getaddrinfo = getaddrinfo

assert "torch" not in sys.modules and "chromadb" not in sys.modules

from pathlib import Path
from retrieval.settings import RetrievalSettings
from retrieval.knowledge_base import KnowledgeBase
from tests.support import REPO, SEEDS

store, seeds = Path(sys.argv[1]), Path(sys.argv[2])
kb = KnowledgeBase(RetrievalSettings(store_path=store))
report = kb.ingest(seeds)
hits = kb.search("Johnson Russia sanctions", k=3)
dense = kb.search("Which foreign ministers met in Italy?", k=1, mode="dense")
print(json.dumps({
    "attempts": attempts,
    "model_loaded": kb.embeddings._model is not None or kb.embeddings._exported is not None,
    "chunks_written": report.chunks_written,
    "problems": [p.reason for p in report.problems],
    "hits": [h.title for h in hits],
    "dense": [h.text for h in dense],
}))
"""


def _network_namespace() -> list[str]:
    """``unshare -rn`` when it works here (a user namespace without network), else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    return [unshare, "-rn"] if probe.returncode == 0 else []


@pytest.mark.parametrize("backend", ["auto", "torch"])
def test_ingest_and_search_with_the_network_blocked(tmp_path: Path, backend: str) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"}
        and not k.startswith(("HF_", "SENTENCE_TRANSFORMERS", "NEWSDESK_"))
    }
    env["HF_HOME"] = str(tmp_path / "empty-hf-home")  # no cache to fall back on
    env["PYTHONPATH"] = str(REPO)
    # auto: onnx on this CPU host (its export, if missing, made by a child process); torch.
    env["NEWSDESK_EMBEDDING_BACKEND"] = backend
    command = [
        *_network_namespace(),
        sys.executable,
        "-c",
        CHILD,
        str(tmp_path / "store"),
        str(SEEDS),
    ]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["attempts"] == [], "network was attempted:\n" + "\n".join(
        f"{a['what']} {a['detail']}\n{a['stack']}" for a in result["attempts"]
    )
    assert result["model_loaded"], "the model must have been loaded under the guard"
    assert result["chunks_written"] > 0 and result["problems"] == []
    assert result["hits"] and result["hits"][0].startswith("G7 meeting: Russia and Syria")
    assert "Lucca" in result["dense"][0] or "G7" in result["dense"][0]


def test_the_guard_really_refuses_connections(tmp_path: Path) -> None:
    """The guard above is only evidence if it actually trips on a real connection attempt."""
    probe = CHILD.split('assert "torch"')[0] + (
        "import urllib.request\n"
        "try:\n"
        "    urllib.request.urlopen('http://127.0.0.1:9/', timeout=2)\n"
        "except OSError:\n"
        "    pass\n"
        "print(json.dumps({'attempts': len(attempts)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["attempts"] >= 1


@pytest.mark.skipif(not _network_namespace(), reason="no unprivileged network namespaces here")
def test_the_namespace_has_no_network(tmp_path: Path) -> None:
    """Likewise for the namespace: a plain TCP connection from inside it must fail."""
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "    print('connected')\n"
        "except OSError as e:\n"
        "    print('refused', e.errno)\n"
    )
    done = subprocess.run(
        [*_network_namespace(), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.startswith("refused"), done.stdout + done.stderr
