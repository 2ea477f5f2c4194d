"""``newsdesk repl``: ask questions and tune the prompts, one line at a time.

The loop does only input and output. The answering pipeline arrives as a callback
(``answer_fn``), so the REPL never builds a model or a store itself, and tests drive it with a
scripted input and any function that returns real ``Answer`` values.

Input comes from a prompt_toolkit ``PromptSession`` with a ``FileHistory`` (so earlier questions
are one arrow key away, across runs). Given a prompt_toolkit ``Input`` (tests use
``create_pipe_input``) the same session reads from it; given a plain text stream, or when stdin
is not a terminal, lines are read from the stream.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.generators import generator_names
from bot.prompts import (
    PromptError,
    available_prompts,
    check_answer_prompt,
    load_prompt,
    render_answer_prompt,
)
from bot.question import QuestionError, clean_question
from bot.terminal.render import render_answer, sources_table
from bot.types import Answer, Turn, number_sources

if TYPE_CHECKING:
    from prompt_toolkit.input import Input

    from bot.settings import Settings


class AnswerFn(Protocol):
    def __call__(
        self,
        question: str,
        history: Sequence[Turn],
        *,
        k: int | None,
        generator: str | None,
        prompt: str | None,
    ) -> Answer: ...


DEFAULT_HISTORY_PATH = Path("~/.newsdesk_history")
PROMPT_MESSAGE = "newsdesk> "
MAX_K = 50

HELP = """\
Type a question to ask it; follow-ups ("and what about China?") use the conversation so far.

  :sources            the last answer's retrieved passages, with dense, keyword and fused scores
  :prompt             the exact prompt an LLM gets for the last question
  :why                what the citation check dropped from the last answer, and why
  :reload             re-read the prompt files after editing them
  :set k=8            passages to retrieve (also generator=llm, prompt=NAME; ':set' shows all)
  :compare A B        answer the last question with prompt files A and B, side by side
  :reset              forget the conversation (start a new topic)
  :help               this text
  :quit               leave (Ctrl-D works too)"""


@dataclass
class ReplState:
    k: int | None = None
    generator: str | None = None
    prompt: str | None = None
    history: list[Turn] = field(default_factory=list)
    last: Answer | None = None
    # The conversation as it was when the last question was asked (for :compare).
    last_history: tuple[Turn, ...] = ()
    prompt_ids: dict[str, str] = field(default_factory=dict)


class _Quit(Exception):
    pass


class Repl:
    def __init__(
        self,
        answer_fn: AnswerFn | Callable[..., Answer],
        *,
        settings: Settings,
        console: Console,
        prompts_dir: Path | None = None,
        reload_fn: Callable[[], object] | None = None,
    ) -> None:
        self.answer_fn = answer_fn
        self.settings = settings
        self.console = console
        self.prompts_dir = prompts_dir
        self.reload_fn = reload_fn
        self.state = ReplState()
        self.state.prompt_ids = self._prompt_ids()[0]
        self._commands: dict[str, Callable[[str], None]] = {
            "sources": self.cmd_sources,
            "prompt": self.cmd_prompt,
            "why": self.cmd_why,
            "reload": self.cmd_reload,
            "set": self.cmd_set,
            "compare": self.cmd_compare,
            "reset": self.cmd_reset,
            "help": self.cmd_help,
            "quit": self.cmd_quit,
            "exit": self.cmd_quit,
            "q": self.cmd_quit,
        }

    # --- effective settings ---------------------------------------------------------------
    @property
    def k(self) -> int:
        return self.state.k if self.state.k is not None else self.settings.retrieval.k

    @property
    def generator(self) -> str:
        return self.state.generator or self.settings.answer.generator

    @property
    def prompt_name(self) -> str:
        return self.state.prompt or self.settings.answer.prompt

    # --- one line -------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Process one input line; False when the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            name, _, args = line[1:].partition(" ")
            command = self._commands.get(name.strip().lower())
            if command is None:
                self.console.print(
                    f"Unknown command {escape(line.split()[0])!s}. Type :help for the commands.",
                    style="yellow",
                )
                return True
            try:
                command(args.strip())
            except _Quit:
                return False
            return True
        self.ask(line)
        return True

    def ask(self, question: str) -> None:
        try:
            # Refused here, before the pipeline runs (and before a first question loads the model).
            question = clean_question(question, self.settings.answer.max_question_chars)
        except QuestionError as exc:
            self.console.print(Text(f"Error: {exc}", style="red"))
            return
        before = tuple(self.state.history)
        answer = self._call(question, before, self.state.prompt)
        if answer is None:
            return
        self.state.last = answer
        self.state.last_history = before
        if answer.status != "error":
            self.state.history.append(Turn(question=question, answer=answer.text))
        self.console.print(render_answer(answer))

    def _call(self, question: str, history: Sequence[Turn], prompt: str | None) -> Answer | None:
        try:
            return self.answer_fn(
                question, history, k=self.state.k, generator=self.state.generator, prompt=prompt
            )
        except KeyboardInterrupt:
            self.console.print("Interrupted.", style="yellow")
        except Exception as exc:  # the REPL must survive a failing pipeline
            self.console.print(Text(f"Could not answer: {exc}", style="red"))
        return None

    # --- commands -------------------------------------------------------------------------
    def cmd_help(self, _args: str) -> None:
        self.console.print(Text(HELP))

    def cmd_quit(self, _args: str) -> None:
        raise _Quit

    def cmd_reset(self, _args: str) -> None:
        self.state.history.clear()
        self.console.print("Conversation cleared: the next question starts a new topic.")

    def cmd_sources(self, _args: str) -> None:
        answer = self._need_last()
        if answer is None:
            return
        if not answer.hits:
            self.console.print("The last question retrieved no passages.")
            return
        self.console.print(sources_table(answer))

    def cmd_prompt(self, _args: str) -> None:
        answer = self._need_last()
        if answer is None:
            return
        try:
            prompt = load_prompt(self.prompt_name, self.prompts_dir)
            sources = number_sources(answer.hits)
            question = answer.standalone_question or answer.question
            text = render_answer_prompt(
                prompt, question, sources, max_words=self.settings.answer.answer_max_words
            )
        except PromptError as exc:
            self.console.print(Text(str(exc), style="red"))
            return
        notes = []
        if self.generator == "extractive":
            notes.append(
                "the extractive generator sends no prompt; this is what an LLM generator gets"
            )
        if answer.status == "no_answer":
            notes.append("no model was called for this question: the bot abstained")
        title = f"prompt {prompt.name} ({prompt.id}), {len(sources)} sources"
        self.console.print(Panel(Text(text), title=escape(title), title_align="left"))
        for note in notes:
            self.console.print(f"Note: {note}.", style="dim")

    def cmd_why(self, _args: str) -> None:
        answer = self._need_last()
        if answer is None:
            return
        if answer.status == "error" and answer.error:
            self.console.print(Text(f"The answer failed: {answer.error}", style="red"))
        if not answer.dropped:
            who = f"the {answer.generator} generator's" if answer.generator else "the"
            self.console.print(f"The citation check dropped nothing from {who} draft.")
            return
        table = Table(title="Dropped by the citation check", show_lines=True, expand=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("What was dropped", ratio=3)
        table.add_column("Why", ratio=2)
        for i, dropped in enumerate(answer.dropped, start=1):
            # An empty text means the whole draft was set aside (e.g. the generator failed).
            what = Text(dropped.text) if dropped.text else Text("(the whole draft)", style="dim")
            table.add_row(str(i), what, Text(dropped.reason))
        self.console.print(table)

    def cmd_reload(self, _args: str) -> None:
        ids, errors = self._prompt_ids()
        table = Table(title="Prompts", expand=False)
        table.add_column("Name")
        table.add_column("Id")
        table.add_column("")
        for name in sorted(set(ids) | set(errors)):
            if name in errors:
                table.add_row(name, "-", Text(errors[name], style="red"))
                continue
            old = self.state.prompt_ids.get(name)
            status = "new" if old is None else ("changed" if old != ids[name] else "")
            marker = " (in use)" if name == self.prompt_name else ""
            table.add_row(name + marker, ids[name], status)
        self.console.print(table)
        # Keep the old id of a broken file, so fixing it shows as a change from the good one.
        self.state.prompt_ids = {**self.state.prompt_ids, **ids}
        if self.reload_fn is not None:
            try:
                self.reload_fn()
            except Exception as exc:
                self.console.print(Text(f"Reloading failed: {exc}", style="red"))
                return
        if self.prompt_name in errors:
            self.console.print(
                Text(f"The prompt in use ({self.prompt_name}) has an error.", style="red")
            )

    def cmd_set(self, args: str) -> None:
        if not args:
            self._show_settings()
            return
        pairs = args.replace(",", " ").split()
        for pair in pairs:
            key, sep, value = pair.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not sep or not value:
                self.console.print(
                    f"Write :set NAME=VALUE (got {escape(pair)!s}); names: k, generator, prompt.",
                    style="yellow",
                )
                return
            if not self._set_one(key, value):
                return
        self._show_settings()

    def _set_one(self, key: str, value: str) -> bool:
        default = value.lower() in {"default", "none"}
        if key == "k":
            if default:
                self.state.k = None
                return True
            try:
                k = int(value)
            except ValueError:
                k = 0
            if not 1 <= k <= MAX_K:
                self.console.print(f"k must be a whole number from 1 to {MAX_K}.", style="yellow")
                return False
            self.state.k = k
            return True
        if key == "generator":
            if default:
                self.state.generator = None
                return True
            names = generator_names()
            if value not in names:
                self.console.print(
                    f"Unknown generator {escape(value)!s}; choose one of: {', '.join(names)}.",
                    style="yellow",
                )
                return False
            self.state.generator = value
            return True
        if key == "prompt":
            if default:
                self.state.prompt = None
                return True
            try:
                check_answer_prompt(load_prompt(value, self.prompts_dir))
            except PromptError as exc:
                self.console.print(Text(str(exc), style="yellow"))
                return False
            self.state.prompt = value.removesuffix(".txt")
            return True
        self.console.print(
            f"Unknown setting {escape(key)!s}; you can set k, generator and prompt.",
            style="yellow",
        )
        return False

    def _show_settings(self) -> None:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_row("k", str(self.k), "" if self.state.k is not None else "(default)")
        gen_default = "" if self.state.generator else "(default)"
        table.add_row("generator", self.generator, gen_default)
        prompt_default = "" if self.state.prompt else "(default)"
        table.add_row("prompt", self.prompt_name, prompt_default)
        self.console.print(table)

    def cmd_compare(self, args: str) -> None:
        names = args.split()
        if len(names) != 2:
            self.console.print(
                "Write :compare A B with two prompt names, e.g. :compare answer answer_strict",
                style="yellow",
            )
            self._list_prompts()
            return
        answer = self._need_last()
        if answer is None:
            return
        for name in names:
            try:
                check_answer_prompt(load_prompt(name, self.prompts_dir))
            except PromptError as exc:
                self.console.print(Text(str(exc), style="yellow"))
                return
        results: list[tuple[str, Answer | None]] = []
        for name in names:
            results.append((name, self._call(answer.question, self.state.last_history, name)))
        panels = []
        for name, result in results:
            if result is None:
                panels.append(Panel(Text("(failed)", style="red"), title=escape(name)))
                continue
            title = f"{name} ({result.prompt_id or '?'})"
            panels.append(Panel(render_answer(result), title=escape(title), title_align="left"))
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1)
        grid.add_column(ratio=1)
        grid.add_row(*panels)
        self.console.print(grid)
        if self.generator == "extractive":
            self.console.print(
                "Note: the extractive generator does not use the prompt, so both sides match; "
                ":set generator=llm to compare prompts.",
                style="dim",
            )
        else:
            a, b = (r for _, r in results)
            if a is not None and b is not None and a.text == b.text:
                self.console.print("Both prompts gave the same answer.", style="dim")

    # --- helpers --------------------------------------------------------------------------
    def _need_last(self) -> Answer | None:
        if self.state.last is None:
            self.console.print("Ask a question first.", style="yellow")
        return self.state.last

    def _list_prompts(self) -> None:
        names = available_prompts(self.prompts_dir)
        self.console.print(f"Prompts: {', '.join(names) if names else 'none'}", style="dim")

    def _prompt_ids(self) -> tuple[dict[str, str], dict[str, str]]:
        ids: dict[str, str] = {}
        errors: dict[str, str] = {}
        for name in available_prompts(self.prompts_dir):
            try:
                ids[name] = load_prompt(name, self.prompts_dir).id
            except PromptError as exc:
                errors[name] = str(exc)
        return ids, errors

    def banner(self) -> None:
        self.console.print(
            Text.assemble(
                ("Newsdesk REPL", "bold"),
                f"  generator={self.generator}  k={self.k}  prompt={self.prompt_name}\n",
                ("Ask a question, or type :help.", "dim"),
            )
        )


# --- the loop ------------------------------------------------------------------------------


def run_repl(
    answer_fn: AnswerFn | Callable[..., Answer],
    *,
    settings: Settings,
    input: Input | TextIO | None = None,
    output: TextIO | None = None,
    history_path: Path | None = None,
    prompts_dir: Path | None = None,
    reload_fn: Callable[[], object] | None = None,
) -> int:
    """Run the REPL until :quit or end of input; returns the exit code."""
    console = Console(file=output) if output is not None else Console()
    repl = Repl(
        answer_fn, settings=settings, console=console, prompts_dir=prompts_dir,
        reload_fn=reload_fn,
    )  # fmt: skip
    read_line = _line_reader(input, history_path)
    repl.banner()
    while True:
        try:
            line = read_line()
        except KeyboardInterrupt:  # Ctrl-C at the prompt clears the line, as in a shell
            continue
        except EOFError:
            break
        if not repl.handle(line):
            break
    console.print("Bye.", style="dim")
    return 0


def _line_reader(source: Input | TextIO | None, history_path: Path | None) -> Callable[[], str]:
    from prompt_toolkit.input import Input as PTInput

    if isinstance(source, PTInput):
        from prompt_toolkit.output import DummyOutput

        return _session_reader(source, DummyOutput(), history_path)
    if source is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            return _session_reader(None, None, history_path)
        source = sys.stdin
    stream = source

    def read_plain() -> str:
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read_plain


def _session_reader(pt_input: Any, pt_output: Any, history_path: Path | None) -> Callable[[], str]:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory

    path = (history_path or DEFAULT_HISTORY_PATH).expanduser()
    history: History
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
        history = FileHistory(str(path))
    except OSError:
        # An unwritable home directory must not stop the REPL; history just won't persist.
        history = InMemoryHistory()
    session: PromptSession[str] = PromptSession(history=history, input=pt_input, output=pt_output)

    def read() -> str:
        return session.prompt(PROMPT_MESSAGE)

    return read
