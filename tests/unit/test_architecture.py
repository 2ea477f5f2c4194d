"""The shape of the code, checked from the source: the import graph of ``bot/`` and ``retrieval/``.

Every module is parsed with ``ast`` (nothing is imported). Counted as an import of a module:

* every ``import x.y`` and ``from x.y import z`` anywhere in the file: at module level, inside
  functions and methods (the lazy imports that keep the CLI light), and under
  ``if TYPE_CHECKING:`` (a type-only import still ties the two modules together);
* ``from package import name`` counts as an import of ``package.name`` when that is a module of
  the repository, and of ``package`` otherwise; relative imports are resolved.

Not counted: the parent packages Python runs implicitly (``import bot.citations.parse`` also runs
``bot/citations/__init__.py``, which imports ``parse`` back: every package that re-exports its
modules would be a "cycle"), and the generator registry's ``"module:attribute"`` strings (a
registry entry is loaded by name on purpose, so that choosing one generator never imports another).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGES = ("bot", "retrieval")
MAX_LINES = 500
# Modules allowed over MAX_LINES, each with the reason. Keep this list short.
OVER_LONG_ALLOWED: set[str] = set()
# The answering core: what every front end builds on. It never reaches back up into them.
CORE = (
    "bot.core",
    "bot.stages",
    "bot.types",
    "bot.question",
    "bot.encoder",
    "bot.citations",
    "bot.condense",
    "bot.prompts",
    "bot.generators",
    "bot.answer",
)
FRONT_ENDS = ("bot.terminal", "bot.slack", "bot.eval", "bot.server")
SLACK_LIBRARIES = ("slack_bolt", "slack_sdk")


def module_name(path: Path, root: Path = REPO) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = REPO) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            files[module_name(path, root)] = path
    return files


def imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every module name the file imports, anywhere in it (see the module docstring)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                parent = ".".join([*base, node.module] if node.module else base)
            else:
                parent = node.module or ""
            if parent:
                names.add(parent)
            names.update(f"{parent}.{alias.name}".lstrip(".") for alias in node.names)
    return names


def import_graph(files: Mapping[str, Path]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module -> the repository's modules it imports, module -> every name it imports)."""
    internal: dict[str, set[str]] = {}
    everything: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = imported_names(tree, module, path.name == "__init__.py")
        everything[module] = names
        # "from bot.citations import check_draft": bot.citations.check_draft is no module, so
        # the edge goes to bot.citations; "from bot.generators import llm" would go to the module.
        internal[module] = {n for n in names if n in files and n != module}
    return internal, everything


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import cycle as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(root: Path = REPO) -> list[str]:
    """Every broken rule, one line each (empty when the code has the intended shape)."""
    files = source_files(root)
    internal, everything = import_graph(files)
    problems: list[str] = []
    cycle = find_cycle(internal)
    if cycle:
        problems.append("import cycle: " + " -> ".join(cycle))
    for module, names in sorted(everything.items()):
        for name in sorted(names):
            if within(module, ("retrieval",)) and within(name, ("bot",)):
                problems.append(f"{module} imports {name} (retrieval never imports bot)")
            if within(name, SLACK_LIBRARIES) and not within(module, ("bot.slack",)):
                problems.append(f"{module} imports {name} (only bot.slack may)")
        for name in sorted(internal[module]):
            if within(module, CORE) and within(name, FRONT_ENDS):
                problems.append(f"{module} imports front end {name} (the core never reaches up)")
            if within(module, ("bot.generators",)) and within(name, ("bot.core",)):
                problems.append(f"{module} imports {name} (generators never import the core)")
            if within(module, ("bot.answer",)) and within(name, ("bot.generators",)):
                # Issue 8: the answer stages (analysis, evidence, decision) rely on no generator.
                problems.append(f"{module} imports {name} (the answer stages use no generator)")
    for module, path in sorted(files.items()):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and module not in OVER_LONG_ALLOWED:
            problems.append(f"{module} has {lines} lines (more than {MAX_LINES})")
    return problems


# --- the repository ------------------------------------------------------------------------------


def test_the_repository_keeps_its_shape() -> None:
    assert violations() == []


def test_the_graph_sees_the_modules_and_their_lazy_and_type_only_imports() -> None:
    # Guards against a checker that passes because it sees nothing.
    files = source_files()
    internal, _ = import_graph(files)
    assert {"bot.core", "bot.terminal.cli", "retrieval.text", "bot.generators.extractive"} <= set(
        files
    )
    assert "bot.citations" in internal["bot.core"]  # module level
    assert "bot.condense" in internal["bot.core"]  # inside a method
    assert "bot.core" in internal["bot.wiring"]  # under TYPE_CHECKING (and inside a function)


def test_the_allow_list_holds_only_modules_that_need_it() -> None:
    files = source_files()
    for module in OVER_LONG_ALLOWED:
        if module in files:  # another branch may have split it already
            lines = len(files[module].read_text(encoding="utf-8").splitlines())
            assert lines > MAX_LINES, f"{module} is short now: drop it from the allow-list"


# --- the checker fails on planted violations -----------------------------------------------------


def tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CLEAN = {
    "bot/__init__.py": "",
    "bot/types.py": "from retrieval.types import Hit\n",
    "bot/core.py": "from bot.types import Hit\n\ndef f():\n    from bot.condense import x\n",
    "bot/condense/__init__.py": "from bot.condense.rewrite import y\n",
    "bot/condense/rewrite.py": "import re\n",
    "bot/generators/__init__.py": "from bot.types import Hit\n",
    "bot/terminal/__init__.py": "",
    "bot/terminal/cli.py": "def ask():\n    from bot.core import Answerer\n",
    "bot/slack/__init__.py": "",
    "bot/slack/app.py": "from slack_bolt import App\n",
    "retrieval/__init__.py": "",
    "retrieval/types.py": "from dataclasses import dataclass\n",
}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert violations(tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        # A cycle through a lazy import inside a function.
        (
            {"bot/types.py": "def f():\n    from bot.core import Answerer\n"},
            "import cycle: bot.core -> bot.types -> bot.core",
        ),
        # A cycle through a type-only import.
        (
            {
                "bot/condense/rewrite.py": (
                    "from typing import TYPE_CHECKING\n"
                    "if TYPE_CHECKING:\n"
                    "    from bot import core\n"
                )
            },
            "import cycle: bot.condense -> bot.condense.rewrite -> bot.core -> bot.condense",
        ),
        ({"retrieval/types.py": "from bot.types import Answer\n"}, "retrieval never imports bot"),
        # A relative import, resolved.
        ({"bot/types.py": "from .core import Answerer\n"}, "import cycle: bot.core -> bot.types"),
        ({"bot/terminal/cli.py": "import slack_sdk.web\n"}, "only bot.slack may"),
        ({"bot/core.py": "from bot.terminal.cli import ask\n"}, "imports front end"),
        ({"bot/generators/__init__.py": "import bot.core\n"}, "generators never import the core"),
        (
            {"bot/answer/__init__.py": "from bot.generators import x\n"},
            "the answer stages use no generator",
        ),
        ({"bot/condense/rewrite.py": "x = 1\n" * (MAX_LINES + 1)}, "more than 500"),
    ],
)
def test_a_planted_violation_fails(tmp_path: Path, planted: dict[str, str], expected: str) -> None:
    found = violations(tree(tmp_path, {**CLEAN, **planted}))
    assert any(expected in problem for problem in found), found


def test_the_repository_tracks_no_symbolic_links() -> None:
    # A worktree's link to the shared data folder (data -> /work/main/data) was once committed:
    # a fresh clone then had a `data` that pointed outside it, and the merge that brought it in
    # replaced the real data folder with a link to itself. Nothing the repository ships is a link.
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files", "--stage"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    links = [line.split("\t", 1)[1] for line in listed if line.startswith("120000 ")]
    assert links == []
