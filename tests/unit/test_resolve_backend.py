"""``NEWSDESK_EMBEDDING_BACKEND=auto``: onnx on a CPU host, torch where a GPU is asked for or
present, found without importing torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import embeddings
from retrieval.embeddings import resolve_backend
from retrieval.settings import RetrievalSettings


def test_the_default_is_auto() -> None:
    assert RetrievalSettings().embedding_backend == "auto"


@pytest.mark.parametrize("backend", ["torch", "onnx", "onnx-int8", "openvino"])
def test_a_backend_named_is_kept(backend: str) -> None:
    assert resolve_backend(backend, "auto") == backend
    assert resolve_backend(backend, "cuda") == backend


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_gpu_asked_for_gets_torch(device: str) -> None:
    assert resolve_backend("auto", device) == "torch"


def test_a_cpu_host_gets_onnx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(embeddings, "_NVIDIA_DRIVER", tmp_path / "no-driver")
    monkeypatch.setattr(sys, "platform", "linux")
    assert resolve_backend("auto", "auto") == "onnx"
    assert resolve_backend("auto", "cpu") == "onnx"


def test_an_nvidia_driver_gets_torch_unless_the_cpu_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    driver = tmp_path / "version"
    driver.write_text("NVRM version: 550\n", encoding="utf-8")
    monkeypatch.setattr(embeddings, "_NVIDIA_DRIVER", driver)
    assert resolve_backend("auto", "auto") == "torch"
    assert resolve_backend("auto", "cpu") == "onnx"


def test_resolving_imports_no_torch() -> None:
    # In a fresh interpreter: this test process may have imported torch already.
    code = (
        "import sys; from retrieval.embeddings import resolve_backend; "
        "resolve_backend('auto', 'auto'); print('torch' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert done.stdout.strip() == "False", done.stderr
