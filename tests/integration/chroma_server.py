"""A real ``chroma run`` server on 127.0.0.1 for tests: started, waited for, stopped.

``chroma_server`` (module scope, registered in ``conftest.py``) is shared by a test module;
``start_chroma`` starts one a test owns (to stop or freeze it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    path: Path
    process: subprocess.Popen[bytes]

    def env(self) -> dict[str, str]:
        """``NEWSDESK_*`` variables pointing a ``newsdesk`` process at this server."""
        return {"NEWSDESK_CHROMA_HOST": self.host, "NEWSDESK_CHROMA_PORT": str(self.port)}


def wait_for_heartbeat(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"chroma run exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"chroma run did not answer {url} within 60 s:\n{log.read_text()[-2000:]}")


@contextmanager
def start_chroma(folder: Path) -> Iterator[ChromaServer]:
    assert CHROMA.exists(), f"the chroma CLI should be installed with chromadb at {CHROMA}"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    command = [str(CHROMA), "run", "--path", str(folder / "data")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder
        )
    try:
        wait_for_heartbeat(port, process, log)
        yield ChromaServer("127.0.0.1", port, folder / "data", process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # in case a test froze it
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def chroma_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    with start_chroma(tmp_path_factory.mktemp("chroma_server")) as server:
        yield server
