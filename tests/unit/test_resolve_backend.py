"""``NEWSDESK_EMBEDDING_BACKEND=auto``: onnx on a CPU host, torch where a GPU is asked for or
present, found without importing torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import runtime
from retrieval.runtime import EmbeddingModelError, resolve_backend, resolve_precision
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
    _cpu(monkeypatch, tmp_path, "fpu sse2 avx2")
    assert resolve_backend("auto", "auto") == "onnx"
    assert resolve_backend("auto", "cpu") == "onnx"


def test_an_nvidia_driver_gets_torch_unless_the_cpu_is_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    driver = tmp_path / "version"
    driver.write_text("NVRM version: 550\n", encoding="utf-8")
    monkeypatch.setattr(runtime, "_NVIDIA_DRIVER", driver)
    monkeypatch.setattr(runtime, "_CPUINFO", tmp_path / "no-cpuinfo")
    assert resolve_backend("auto", "auto") == "torch"
    assert resolve_backend("auto", "cpu") == "onnx"


def test_resolving_imports_no_torch() -> None:
    # In a fresh interpreter: this test process may have imported torch already.
    code = (
        "import sys; from retrieval.runtime import resolve_backend, resolve_precision; "
        "resolve_backend('auto', 'auto'); resolve_precision('auto', 'torch', 'cpu'); "
        "print('torch' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert done.stdout.strip() == "False", done.stderr


def _cpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: str) -> None:
    """A CPU host whose /proc/cpuinfo lists ``flags`` (no GPU)."""
    monkeypatch.setattr(runtime, "_NVIDIA_DRIVER", tmp_path / "no-driver")
    monkeypatch.setattr(sys, "platform", "linux")
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        f"processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: {flags}\n\n", encoding="utf-8"
    )
    monkeypatch.setattr(runtime, "_CPUINFO", cpuinfo)


@pytest.mark.parametrize("flag", ["avx512_bf16", "amx_bf16"])
def test_a_cpu_that_multiplies_bfloat16_gets_torch_in_bfloat16(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flag: str
) -> None:
    _cpu(monkeypatch, tmp_path, f"fpu sse2 avx2 avx512f {flag} avx512_vnni")
    assert runtime.native_bfloat16()
    assert resolve_backend("auto", "auto") == "torch"
    assert resolve_backend("auto", "cpu") == "torch"
    assert resolve_precision("auto", "torch", "cpu") == "bfloat16"
    # Only torch on the CPU runs in bfloat16; everything else keeps float32.
    assert resolve_precision("auto", "onnx", "cpu") == "float32"
    assert resolve_precision("auto", "torch", "cuda") == "float32"
    assert resolve_precision("float32", "torch", "cpu") == "float32"


def test_a_cpu_that_would_emulate_bfloat16_keeps_onnx_and_float32(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # avx512f alone: torch would emulate bfloat16, slower than float32.
    _cpu(monkeypatch, tmp_path, "fpu sse2 avx2 avx512f avx512_vnni")
    assert not runtime.native_bfloat16()
    assert resolve_backend("auto", "auto") == "onnx"
    assert resolve_precision("auto", "torch", "cpu") == "float32"
    # Asked for by name it is what the user wants (slow, but the same vectors).
    assert resolve_precision("bfloat16", "torch", "cpu") == "bfloat16"


def test_no_cpuinfo_means_no_bfloat16(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(runtime, "_CPUINFO", tmp_path / "missing")
    assert not runtime.native_bfloat16()


@pytest.mark.parametrize(
    ("backend", "device"), [("onnx", "cpu"), ("openvino", "cpu"), ("torch", "cuda")]
)
def test_bfloat16_asked_for_where_it_cannot_run_is_a_clear_error(backend: str, device: str) -> None:
    with pytest.raises(EmbeddingModelError, match="NEWSDESK_EMBEDDING_PRECISION=bfloat16"):
        resolve_precision("bfloat16", backend, device)


def test_the_precision_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RetrievalSettings().embedding_precision == "auto"
    monkeypatch.setenv("NEWSDESK_EMBEDDING_PRECISION", "bfloat16")
    from bot.settings import SettingsError, load_settings

    assert load_settings(_env_file=None).retrieval.embedding_precision == "bfloat16"
    monkeypatch.setenv("NEWSDESK_EMBEDDING_PRECISION", "float16")
    with pytest.raises(SettingsError, match="NEWSDESK_EMBEDDING_PRECISION"):
        load_settings(_env_file=None)
