"""``retrieval.memory.release_free_memory``: the free pages inside the C heap go back."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# In a fresh process, so that the heap holds only what the script makes: ~200 MB of 1 KB blocks
# (above the size Python's own allocator serves, so from malloc), every 16th kept alive, so that
# the freed ones are holes glibc keeps rather than a heap top it would give back by itself.
SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, sys.argv[1])
    from retrieval.memory import release_free_memory

    def rss():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    blocks = [bytes(1000) + str(i).encode() for i in range(200_000)]
    kept = blocks[::16]
    del blocks
    before = rss()
    asked = release_free_memory()
    print(json.dumps({"asked": asked, "before": before, "after": rss(), "kept": len(kept)}))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, glibc's heap")
def test_release_gives_the_heaps_free_pages_back() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, check=True
    )
    figures = json.loads(out.stdout)
    assert figures["asked"] is True
    # The holes hold ~190 MB; without the trim glibc keeps all of it mapped.
    assert figures["before"] - figures["after"] > 100, figures


def test_release_is_harmless_when_nothing_is_free() -> None:
    from retrieval.memory import release_free_memory

    release_free_memory()
    assert release_free_memory() in (True, False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc, glibc's heap")
def test_with_the_threshold_fixed_a_freed_large_block_leaves_no_rss_behind() -> None:
    """glibc alone raises its mmap threshold when a large mapped block is freed, so the next
    ones of that size come from the heap and stay there once freed; fixed, they do not."""
    script = textwrap.dedent(
        """
        import json, os, sys
        sys.path.insert(0, sys.argv[1])
        from retrieval.memory import keep_large_blocks_out_of_the_heap

        def rss():
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

        if sys.argv[2] == "fixed":
            assert keep_large_blocks_out_of_the_heap()
        del bytearray(8 << 20)[:]  # an 8 MB block mapped then freed: glibc raises its threshold
        before = rss()
        blocks = [bytearray(4 << 20) for _ in range(25)]  # 100 MB of 4 MB blocks
        keep = bytearray(100_000)  # from the heap after them: its top cannot shrink
        del blocks
        print(json.dumps({"held": rss() - before, "keep": len(keep)}))
        """
    )
    held = {
        how: json.loads(
            subprocess.run(
                [sys.executable, "-c", script, str(ROOT), how],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )["held"]
        for how in ("default", "fixed")
    }
    assert held["default"] > 80, held  # the premise: glibc alone keeps them
    assert held["fixed"] < 20, held
