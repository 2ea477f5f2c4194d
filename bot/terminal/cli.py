"""``newsdesk``: ingest, search, ask, evaluate, and run the REPL or the Slack bot.

Commands import their heavy dependencies (torch, chromadb, slack) only when they run, so that
``newsdesk --help`` and a no-change re-ingest stay fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from bot.settings import Settings, quiet_libraries
from bot.terminal.common import console, err, fail, settings_or_exit
from bot.terminal.prepare import prepare

if TYPE_CHECKING:
    from bot.types import Answer
    from retrieval.ingest import IngestReport
    from retrieval.knowledge_base import KnowledgeBase

app = typer.Typer(
    help="Newsdesk: cited answers from a news archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(
    help="Evaluate retrieval or answers on a question set.", no_args_is_help=True
)
app.add_typer(eval_app, name="eval")
feedback_app = typer.Typer(help="The helpful / not-helpful clicks recorded.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")
app.command()(prepare)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_libraries()


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="Folder (or file) of articles.")] = Path("seeds"),
    prune: Annotated[
        bool | None,
        typer.Option(
            "--prune/--no-prune",
            help="Delete chunks of articles no longer in the folder (default: NEWSDESK_PRUNE).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Ingest articles (.txt, .md, .json, .jsonl, .html, .pdf, .docx) into the store, incrementally.

    Exits 0 when everything was ingested, 3 when something was skipped (listed), 1 on a store or
    model error, 2 on bad arguments or settings.
    """
    settings = settings_or_exit()
    if not path.exists():
        err.print(f"[red]No such file or folder: {escape(str(path))}[/red]")
        raise typer.Exit(2)
    from bot.terminal.progress import ingest_progress
    from bot.wiring import build_knowledge_base
    from retrieval.embeddings import EmbeddingModelError
    from retrieval.stores import StoreError

    kb = build_knowledge_base(settings)
    try:
        with ingest_progress(not quiet and sys.stderr.isatty()) as on_progress:
            report = kb.ingest(path, prune=prune, on_progress=on_progress)
    except (StoreError, EmbeddingModelError) as exc:
        raise fail(exc) from None
    status = _print_ingest_summary(report)
    if report.chunks_written and settings.answer.parse_store_enabled:
        err.print("[dim]`newsdesk prepare` parses the new passages now: faster answers.[/dim]")
    raise typer.Exit(status)


# Exit status of `newsdesk ingest` when it finished but left something out (a bad file, an
# unsupported type, an id collision): scripts can tell "all in" (0) from "look at the list".
EXIT_SKIPPED = 3
_LISTED = 20  # a folder of ten thousand photos is one line per kind after this many


def _print_ingest_summary(report: IngestReport) -> int:
    problems = report.problems_by_file()
    for file, reasons in problems.items():
        # Paths and reasons are shown as written: a "[draft]" in a file name is not markup.
        err.print(f"[yellow]skipped[/yellow] {escape(file)}: {escape('; '.join(reasons))}")
    by_reason: dict[str, list[str]] = {}
    for skipped in report.skipped_files:
        by_reason.setdefault(skipped.reason, []).append(skipped.path)
    for reason, paths in by_reason.items():
        for path in paths[:_LISTED]:
            err.print(f"[dim]not read[/dim] {escape(path)}: {escape(reason)}")
        if len(paths) > _LISTED:
            err.print(f"[dim]not read[/dim] ... and {len(paths) - _LISTED} more: {escape(reason)}")
    console.print(
        f"{report.files_read} file(s) read, {report.articles_seen} articles: "
        f"{report.articles_added} added, {report.articles_updated} updated, "
        f"{report.articles_unchanged} unchanged, {report.articles_deleted} removed; "
        f"{report.chunks_written} chunks embedded, {report.total_chunks} in the store "
        f"({report.seconds:.1f} s: {report.articles_per_second:.1f} articles/s, "
        f"{report.chunks_per_second:.1f} chunks/s)"
    )
    if not report.anything_skipped:
        return 0
    left_out = []
    if problems:
        left_out.append(f"{len(problems)} file(s) with problems")
    if report.skipped_files:
        kinds = ", ".join(f"{len(p)} {r}" for r, p in by_reason.items())
        left_out.append(f"{len(report.skipped_files)} file(s) not read ({kinds})")
    if report.articles_skipped:
        left_out.append(
            f"{report.articles_skipped} article(s) whose id is already in the store "
            "from another folder"
        )
    console.print("Skipped: " + "; ".join(left_out) + " (see above).")
    return EXIT_SKIPPED


@app.command()
def doctor(
    fix: Annotated[
        bool, typer.Option("--repair/--check", help="Repair what is found (default: only report).")
    ] = False,
) -> None:
    """Check the store and this host's cache of it; with --repair, fix what is found.

    Exits 0 when all is well (or was repaired), 1 when something is wrong (or could not be
    repaired here).
    """
    settings = settings_or_exit()
    from bot.wiring import build_knowledge_base
    from retrieval.doctor import examine, repair
    from retrieval.embeddings import EmbeddingModelError
    from retrieval.stores import StoreError

    kb = build_knowledge_base(settings)
    try:
        findings = examine(kb)
        for finding in findings:
            err.print(f"[yellow]problem[/yellow] {escape(finding.what)}; repair: {finding.repair}")
        if not findings:
            console.print(f"The {kb.store.where} is in order: {kb.count()} chunks.")
            return
        if not fix:
            console.print("Run `newsdesk doctor --repair` to repair.")
            raise typer.Exit(1)
        done = repair(kb, findings)
    except (StoreError, EmbeddingModelError) as exc:
        raise fail(exc) from None
    for line in done.done:
        console.print(f"repaired: {escape(line)}")
    for line in done.not_done:
        err.print(f"[red]not repaired[/red]: {escape(line)}")
    raise typer.Exit(1 if done.not_done else 0)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int | None, typer.Option("-k", min=1, help="How many passages.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or keyword.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the best passages for QUERY with title, source and score."""
    settings = settings_or_exit()
    if mode not in ("hybrid", "dense", "keyword"):
        err.print("[red]--mode must be hybrid, dense or keyword[/red]")
        raise typer.Exit(2)
    from bot.question import QuestionError, clean_query

    try:
        # Refused before the store or the model is opened, by the rules a question follows.
        query = clean_query(query, settings.answer.max_question_chars)
    except QuestionError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from None
    from bot.wiring import build_knowledge_base
    from retrieval.embeddings import EmbeddingModelError
    from retrieval.stores import StoreError

    kb = build_knowledge_base(settings)
    try:
        kb.check_not_lost()
        if kb.count() == 0:
            err.print("[yellow]The store is empty: run `newsdesk ingest PATH` first.[/yellow]")
        if unfinished := kb.unfinished_ingest():
            err.print(
                f"[yellow]An ingest into this store did not finish ({escape(unfinished)}): "
                "some articles may be half-written. Run it again, or `newsdesk doctor`.[/yellow]"
            )
        hits = kb.search(query, k=k, mode=mode)  # type: ignore[arg-type]
    except (StoreError, EmbeddingModelError) as exc:
        raise fail(exc) from None
    if as_json:
        print(json.dumps({"hits": [h.to_json() for h in hits]}, ensure_ascii=False, indent=2))
        return
    for rank, hit in enumerate(hits, start=1):
        scores = f"score {hit.score:.4f}"
        if hit.dense_score is not None:
            scores += f" · dense {hit.dense_score:.3f}"
        if hit.keyword_score is not None:
            scores += f" · bm25 {hit.keyword_score:.2f}"
        meta = " · ".join(x for x in (hit.source, hit.published_at) if x)
        # Article text is data, not markup: "[Reuters]" in a title or body must show as written.
        console.print(f"[bold]{rank}. {escape(hit.title)}[/bold]  [dim]{escape(meta)}[/dim]")
        console.print(f"   [cyan]{scores}[/cyan]  [dim]{escape(hit.article_id)}[/dim]")
        snippet = " ".join(hit.text.split())
        shown = snippet[:300] + ("…" if len(snippet) > 300 else "")
        console.print(f"   {escape(shown)}\n", highlight=False)
    if not hits:
        console.print("No passages found.")


# Options shared by the evaluation commands.
CorpusOption = Annotated[Path, typer.Option(help="Corpus file or folder.")]
QuestionsOption = Annotated[Path, typer.Option(help="Questions JSONL.")]
DuplicatesOption = Annotated[
    Path | None, typer.Option(help="duplicates.json: duplicates count as the gold article.")
]
OutOption = Annotated[Path | None, typer.Option(help="Write the JSON report here.")]
StoreOption = Annotated[Path | None, typer.Option(help="Store folder for the evaluation corpus.")]


@eval_app.command("retrieval")
def eval_retrieval(
    corpus: CorpusOption,
    questions: QuestionsOption,
    duplicates: DuplicatesOption = None,
    out: OutOption = None,
    store: StoreOption = None,
) -> None:
    """Article-level recall@1/5/10 and MRR@10 per question type, dense vs keyword vs hybrid."""
    settings = settings_or_exit()
    from bot.eval.data import EvalDataError
    from bot.eval.retrieval import evaluate_retrieval, print_retrieval_report

    kb = _eval_knowledge_base(settings, corpus, store)
    try:
        report = evaluate_retrieval(kb, questions, duplicates_path=duplicates)
    except EvalDataError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from None
    print_retrieval_report(report, console)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"Report written to {out}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    generator: Annotated[
        str | None, typer.Option("--generator", "-g", help="extractive (default), llm, local.")
    ] = None,
    k: Annotated[int | None, typer.Option("-k", help="How many passages to retrieve.")] = None,
    server: Annotated[
        str | None, typer.Option(help="Ask a running `newsdesk serve` at this URL instead.")
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="--server: seconds to wait.")] = 120.0,
) -> None:
    """Answer QUESTION from the ingested articles, with numbered citations."""
    settings = settings_or_exit()
    if server is not None:
        from bot.terminal.remote import ask_server

        code = ask_server(
            settings, server, question, as_json, generator=generator, k=k, timeout=timeout
        )
        raise typer.Exit(code)
    from bot.question import QuestionError, clean_question
    from bot.types import refusal

    try:
        clean_question(question, settings.answer.max_question_chars)
    except QuestionError as exc:
        # Refused before the store or the embedding model is touched (loading it takes seconds),
        # with the error answer the core would give.
        gen_name = (generator or settings.answer.generator).strip()
        _print_answer(refusal(question, str(exc), gen_name), as_json)
        raise typer.Exit(1) from None
    from bot.terminal.one_shot import one_shot
    from bot.wiring import build_answerer

    with one_shot():
        answerer = build_answerer(settings)
        if answerer.searcher.count() == 0:
            err.print("[yellow]The store is empty: run `newsdesk ingest PATH` first.[/yellow]")
        # Load the model, the store, the keyword index and spaCy up front (seconds, once per
        # process) so that the timings on the answer are those of answering, as in the REPL or
        # the Slack bot; without the rehearsal answer a server makes (one question: no race).
        try:
            answerer.warm(rehearse=False)
        except Exception:
            # The answer meets the same problem and reports it plainly, with a reference.
            logging.getLogger(__name__).debug("warming up failed", exc_info=True)
        answer = answerer.answer(question, k=k, generator=generator)
        _print_answer(answer, as_json)
    if answer.status == "error":
        raise typer.Exit(1)


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        from bot.terminal.render import render_answer

        console.print(render_answer(answer))


@app.command()
def repl(
    history: Annotated[
        Path | None, typer.Option(help="History file (default ~/.newsdesk_history).")
    ] = None,
) -> None:
    """Interactive prompt for trying questions and tuning prompts (:help lists commands)."""
    settings = settings_or_exit()
    from bot.terminal.repl import run_repl
    from bot.wiring import build_answerer

    answerer = build_answerer(settings)
    raise typer.Exit(run_repl(answerer.answer, settings=settings, history_path=history))


@app.command()
def slack(
    http: Annotated[
        bool, typer.Option("--http", help="Serve HTTP events, not Socket Mode.")
    ] = False,
    host: Annotated[str | None, typer.Option(help="HTTP mode: address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP mode: port to bind.")] = None,
) -> None:
    """Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP mode."""
    settings = settings_or_exit()
    from bot.slack.app import SlackConfigError
    from bot.slack.runner import run_slack
    from bot.wiring import build_answerer

    def answer_fn_factory() -> Any:
        answerer = build_answerer(settings)
        if answerer.searcher.count() == 0:
            err.print("[yellow]The store is empty: run `newsdesk ingest PATH` first.[/yellow]")
        return answerer  # answers, and warms up before serving

    try:
        run_slack(settings, answer_fn_factory, http=http, host=host, port=port)
    except SlackConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (NEWSDESK_SERVE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (NEWSDESK_SERVE_PORT).")] = None,
) -> None:
    """Serve the HTTP JSON API (POST /ask, POST /search, GET /healthz, GET /readyz), warm.

    No TLS, and no authentication unless NEWSDESK_SERVE_TOKEN is set: keep it on 127.0.0.1 or
    a private network (docs/deploy.md)."""
    settings = settings_or_exit()
    from bot.server.runner import serve_api
    from bot.wiring import build_answerer

    answerer = build_answerer(settings)
    if answerer.searcher.count() == 0:
        err.print("[yellow]The store is empty: run `newsdesk ingest PATH` first.[/yellow]")
    try:
        serve_api(settings, answerer, host, port)
    except OSError as exc:  # the address is in use, or not ours to bind
        raise fail(exc) from None


@feedback_app.command("export")
def feedback_export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="jsonl (one JSON object a line) or csv.")
    ] = "jsonl",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Write every recorded click, oldest first (from NEWSDESK_DATABASE_URL or the SQLite file
    at NEWSDESK_FEEDBACK_PATH)."""
    if fmt not in ("jsonl", "csv"):
        err.print(f"[red]--format must be jsonl or csv (got {escape(fmt)!r})[/red]")
        raise typer.Exit(2)
    settings = settings_or_exit()
    from bot.common.feedback import FeedbackError, export, open_feedback

    store = open_feedback(settings)
    try:
        store.open()
        if out is None:
            count = export(store, fmt, sys.stdout)  # type: ignore[arg-type]
        else:
            with out.open("w", encoding="utf-8", newline="") as f:
                count = export(store, fmt, f)  # type: ignore[arg-type]
    except (FeedbackError, OSError) as exc:
        raise fail(exc) from None
    finally:
        store.close()
    err.print(f"{count} feedback record(s) from {escape(store.where)}")


@eval_app.command("answers")
def eval_answers(
    corpus: CorpusOption,
    questions: QuestionsOption,
    duplicates: DuplicatesOption = None,
    out: OutOption = None,
    generator: Annotated[str | None, typer.Option("--generator", "-g")] = None,
    k: Annotated[int | None, typer.Option("-k")] = None,
    store: StoreOption = None,
) -> None:
    """Must-mention coverage, citation support, abstention and latency over a question set."""
    settings = settings_or_exit()
    from bot.eval.answers import evaluate_answers, print_answer_report
    from bot.eval.data import EvalDataError
    from bot.wiring import build_answerer

    kb = _eval_knowledge_base(settings, corpus, store)
    answerer = build_answerer(settings, kb)
    try:
        report = evaluate_answers(answerer, questions, duplicates, out, generator=generator, k=k)
    except EvalDataError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from None
    print_answer_report(report, console)
    if out:
        console.print(f"Report written to {out}")


def _eval_knowledge_base(settings: Settings, corpus: Path, store: Path | None) -> KnowledgeBase:
    """The evaluation corpus's own store (``bot.wiring``), with a line saying what it holds."""
    from bot.wiring import build_eval_knowledge_base, eval_store_path

    if not corpus.exists():
        err.print(f"[red]No such corpus: {corpus}[/red]")
        raise typer.Exit(2)
    if store is None:
        store = eval_store_path(settings, corpus)

    from bot.terminal.progress import ingest_progress

    kb = build_eval_knowledge_base(settings, corpus, store)
    with ingest_progress(sys.stderr.isatty()) as on_progress:
        report = kb.ingest(corpus, on_progress=on_progress)
    err.print(
        f"[dim]eval store {store}: {report.total_chunks} chunks "
        f"({report.chunks_written} embedded now, {report.seconds:.1f} s)[/dim]"
    )
    return kb


def main() -> None:
    app()


if __name__ == "__main__":
    main()
