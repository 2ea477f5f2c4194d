"""The plain LangChain chain and Newsdesk, side by side in one run: one table, plus JSON.

    python bench/compare.py --corpus ../shared/eval/bbc/corpus.jsonl \
        --questions ../shared/eval/bbc/questions_dev.jsonl \
        [--duplicates ../shared/eval/bbc/duplicates.json] [--limit N] [--shared-cores] \
        [--cold-runs 3] [--no-serve] [--json PATH]
    python bench/compare.py --memory 500,1000,2225 --corpus ...   # peak RSS of ingest by size

Each side runs in a subprocess of its own, so its peak RSS (``ru_maxrss``) is its own:
- the chain: the LangChain tutorial's defaults: RecursiveCharacterTextSplitter 1,000/200,
  HuggingFaceEmbeddings on the same packaged MiniLM folder (``langchain_huggingface`` when
  installed; otherwise an adapter making the same SentenceTransformer calls, named in the
  table), ``langchain_chroma.Chroma`` in a temporary folder, dense top 10;
- Newsdesk: ``KnowledgeBase.ingest`` into a temporary store, ``search`` in dense, keyword and
  hybrid modes (k=10, like the chain), ``bot.wiring.build_answerer``'s answers (warm).
Figures: ingest chunks/s, search and answer p50/p95 (ms), recall@1/@5 at article level (as
``newsdesk eval retrieval`` counts them) for each search mode, peak RSS after ingest and at the
end. ``--shared-cores`` also times the searches while a second process encodes in a loop (the
issue's "p95 <= 3x the quiet figure with the cores shared"). Also: cold ``newsdesk ask`` wall
time (a new process per run, on Newsdesk's store), and the answer's end-to-end time through a
running ``newsdesk serve`` on that store (``bench/serve_latency.py``: the same questions over
HTTP from this process, the server warmed first). Then the ratios the targets use.
The dev questions are a test set: measured, never fitted. ``uptime``'s load average is recorded
with each side: on a shared machine, compare figures within one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

K = 10
ROUNDS = 3  # each question searched this many times for the latency figures


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    from bot.eval.data import percentile

    return round(percentile(values, q), 2)


def questions_of(path: Path, present: set[str]) -> list[dict[str, Any]]:
    """The dev questions whose articles are all in the (possibly limited) corpus."""
    from bot.eval.data import load_questions, question_type

    return [
        {**q, "type": question_type(q)}
        for q in load_questions(path)
        if q.get("article_ids") and all(a in present for a in q["article_ids"])
    ]


def recall(rankings: list[list[str]], questions: list[dict[str, Any]], groups: Any) -> dict:
    from bot.eval.retrieval import found_rank, gold_slots

    ranks = [
        found_rank(r[:K], gold_slots(q["article_ids"], groups), q["type"])
        for r, q in zip(rankings, questions, strict=True)
    ]
    n = len(ranks) or 1
    return {
        "recall@1": round(sum(1 for r in ranks if r is not None and r <= 1) / n, 3),
        "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 3),
    }


def unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def timed_searches(search: Any, questions: list[dict[str, Any]]) -> tuple[list[float], list]:
    """Latencies (ms) over ROUNDS passes, after a warm-up; the rankings of the first pass."""
    for q in questions[:5]:
        search(q["question"])
    latencies, rankings = [], []
    for round_ in range(ROUNDS):
        for q in questions:
            t0 = time.perf_counter()
            ranking = search(q["question"])
            latencies.append((time.perf_counter() - t0) * 1000)
            if round_ == 0:
                rankings.append(ranking)
    return latencies, rankings


class Burner:
    """A second process encoding in a loop: the cores shared, as on a busy host."""

    def __enter__(self) -> Burner:
        code = (
            f"import time, sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from retrieval.embeddings import LocalEmbeddings\n"
            "e = LocalEmbeddings(); texts = ['a sentence about the news of the day'] * 64\n"
            "end = time.monotonic() + 1800\n"
            "while time.monotonic() < end: e.encode(texts)\n"
        )
        self.process = subprocess.Popen([sys.executable, "-c", code])
        time.sleep(15)  # until it has loaded the model and is encoding
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# --- the sides (each in its own process) ---------------------------------------------------


def chain_side(args: argparse.Namespace, corpus: Path, work: Path) -> dict[str, Any]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from bot.eval.data import load_duplicates
    from retrieval.embeddings import resolve_model_path
    from retrieval.settings import DEFAULT_EMBEDDING_MODEL

    path = str(resolve_model_path(DEFAULT_EMBEDDING_MODEL))
    embeddings, which = chain_embeddings(path)
    records = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
    questions = questions_of(args.questions, {r["id"] for r in records})
    t0 = time.perf_counter()
    docs = [
        Document(f"{r.get('title', '')}\n\n{r.get('body', '')}", metadata={"article_id": r["id"]})
        for r in records
    ]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        docs
    )
    store = Chroma(
        collection_name="chain", embedding_function=embeddings, persist_directory=str(work)
    )
    for start in range(0, len(chunks), 1000):  # Chroma's own batch limit is ~5,000
        store.add_documents(chunks[start : start + 1000])
    ingest_s = time.perf_counter() - t0
    figures: dict[str, Any] = {
        "embeddings": which,
        "chunks": len(chunks),
        "ingest_chunks_per_s": round(len(chunks) / ingest_s, 1),
        "ingest_load": load(),
        "ingest_peak_rss_mb": rss_mb(),
        "questions": len(questions),
    }

    def search(q: str) -> list[str]:
        return unique([d.metadata["article_id"] for d in store.similarity_search(q, k=K)])

    latencies, rankings = timed_searches(search, questions)
    figures["dense"] = {
        "p50_ms": pct(latencies, 0.5),
        "p95_ms": pct(latencies, 0.95),
        "load": load(),
        **recall(rankings, questions, load_duplicates(args.duplicates)),
    }
    if args.shared_cores:
        with Burner():
            latencies, _ = timed_searches(search, questions)
            figures["dense"]["shared_p95_ms"] = pct(latencies, 0.95)
    figures["peak_rss_mb"] = rss_mb()
    return figures


def chain_embeddings(path: str) -> tuple[Any, str]:
    try:
        from langchain_huggingface import HuggingFaceEmbeddings

        kwargs = {"device": "cpu", "local_files_only": True}
        return HuggingFaceEmbeddings(model_name=path, model_kwargs=kwargs), "langchain_huggingface"
    except ImportError:
        pass
    from langchain_core.embeddings import Embeddings
    from sentence_transformers import SentenceTransformer

    class SameCalls(Embeddings):
        """What HuggingFaceEmbeddings does with its defaults: encode, to lists."""

        def __init__(self) -> None:
            self.model = SentenceTransformer(path, device="cpu", local_files_only=True)

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.model.encode(texts, show_progress_bar=False).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    return SameCalls(), "sentence-transformers adapter (langchain_huggingface not installed)"


def newsdesk_side(args: argparse.Namespace, corpus: Path, work: Path) -> dict[str, Any]:
    from bot.eval.data import load_duplicates
    from bot.eval.retrieval import ranked_articles
    from bot.settings import load_settings
    from bot.wiring import build_answerer
    from retrieval.knowledge_base import KnowledgeBase

    settings = load_settings()
    config = settings.retrieval.model_copy(update={"store_path": work, "chroma_host": None})
    settings = settings.model_copy(update={"retrieval": config})
    kb = KnowledgeBase(config)
    # As the chain's constructor does: the model load is not ingest. load() alone may load only
    # the light query encoder; the backend's model is what ingest runs.
    kb.embeddings.load()
    kb.embeddings.encode_documents(["The model is loaded before the clock starts."])
    report = kb.ingest(corpus)
    figures: dict[str, Any] = {
        "backend": kb.embeddings.runner,
        "chunks": report.chunks_written,
        "ingest_chunks_per_s": round(report.chunks_written / report.seconds, 1),
        "ingest_load": load(),
        "ingest_peak_rss_mb": rss_mb(),
    }
    present = {a for a in kb.manifest["articles"]}
    questions = questions_of(args.questions, present)
    figures["questions"] = len(questions)
    # For the serve figures, measured by the parent on this store with the same questions.
    figures["question_texts"] = [q["question"] for q in questions]
    groups = load_duplicates(args.duplicates)
    for mode in ("dense", "keyword", "hybrid"):

        def search(q: str, mode: Any = mode) -> list[str]:
            # Every search embeds its question, as every one of the chain's does: without this,
            # the dense round's cached vectors would spare the later modes their embedding.
            kb.embeddings.forget_queries()
            return ranked_articles(kb.search(q, k=K, mode=mode))

        latencies, rankings = timed_searches(search, questions)
        figures[mode] = {
            "p50_ms": pct(latencies, 0.5),
            "p95_ms": pct(latencies, 0.95),
            "load": load(),
            **recall(rankings, questions, groups),
        }
        if args.shared_cores and mode != "keyword":
            with Burner():
                latencies, _ = timed_searches(search, questions)
                figures[mode]["shared_p95_ms"] = pct(latencies, 0.95)
    answerer = build_answerer(settings, kb)
    answerer.answer(questions[0]["question"])  # warm: spaCy and the decision load once
    times = []
    for q in questions:
        t0 = time.perf_counter()
        answerer.answer(q["question"])
        times.append((time.perf_counter() - t0) * 1000)
    figures["answer"] = {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "load": load()}
    figures["peak_rss_mb"] = rss_mb()
    return figures


def ingest_only(corpus: Path, work: Path) -> dict[str, Any]:
    from bot.settings import load_settings
    from retrieval.knowledge_base import KnowledgeBase

    config = load_settings().retrieval.model_copy(update={"store_path": work, "chroma_host": None})
    kb = KnowledgeBase(config)
    # The backend's model, as ingest runs it (not load(): that loads the light query encoder,
    # which an ingest never holds, and its RSS would be counted here).
    kb.embeddings.encode_documents(["The model is loaded before the clock starts."])
    before = rss_mb()
    report = kb.ingest(corpus)
    return {
        "articles": report.articles_seen,
        "chunks": report.chunks_written,
        "rss_after_model_load_mb": before,
        "ingest_peak_rss_mb": rss_mb(),
        "chunks_per_s": round(report.chunks_written / report.seconds, 1),
        "load": load(),
    }


# --- the parent ----------------------------------------------------------------------------


def limited(corpus: Path, limit: int, folder: Path, questions: Path) -> Path:
    """The first ``limit`` articles, those the dev questions ask about first (so that a quick
    run still has questions to measure recall and latency with)."""
    if not limit:
        return corpus
    from bot.eval.data import load_questions

    wanted = {a for q in load_questions(questions) for a in q.get("article_ids", [])}
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first = [line for line in lines if line.strip() and json.loads(line).get("id") in wanted]
    rest = [line for line in lines if line.strip() and json.loads(line).get("id") not in wanted]
    part = folder / f"corpus-{limit}.jsonl"
    part.write_text("".join((first + rest)[:limit]), encoding="utf-8")
    return part


def run_side(side: str, args: argparse.Namespace, corpus: Path, work: Path) -> dict[str, Any]:
    out = work.parent / f"{work.name}.json"
    command = [sys.executable, __file__, "--side", side, "--corpus", str(corpus)]
    command += ["--questions", str(args.questions), "--work", str(work), "--out", str(out)]
    if args.duplicates:
        command += ["--duplicates", str(args.duplicates)]
    if args.shared_cores:
        command.append("--shared-cores")
    subprocess.run(command, check=True)
    return dict(json.loads(out.read_text(encoding="utf-8")))


def cold_ask(store: Path, question: str, runs: int) -> dict[str, Any]:
    env = dict(os.environ, NEWSDESK_STORE_PATH=str(store))
    env.pop("NEWSDESK_CHROMA_HOST", None)
    newsdesk = str(Path(sys.executable).parent / "newsdesk")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([newsdesk, "ask", question], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return {"median_s": round(sorted(times)[len(times) // 2], 2), "runs": runs, "load": load()}


def report(figures: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    chain, ours = figures["chain"], figures["newsdesk"]
    table = Table(title=f"Plain chain vs Newsdesk ({figures['corpus']})")
    for name in ("figure", "plain chain", f"Newsdesk ({ours['backend']})"):
        table.add_column(name, justify="right" if name != "figure" else "left")

    def row(name: str, a: Any, b: Any) -> None:
        table.add_row(name, "-" if a is None else str(a), "-" if b is None else str(b))

    row("embeddings", chain["embeddings"], ours["backend"])
    row("chunks", chain["chunks"], ours["chunks"])
    row("ingest chunks/s", chain["ingest_chunks_per_s"], ours["ingest_chunks_per_s"])
    row("  load average", chain["ingest_load"], ours["ingest_load"])
    row("peak RSS after ingest, MB", chain["ingest_peak_rss_mb"], ours["ingest_peak_rss_mb"])
    row("peak RSS at the end, MB", chain["peak_rss_mb"], ours["peak_rss_mb"])
    for mode in ("dense", "keyword", "hybrid"):
        a, b = chain.get(mode, {}), ours[mode]
        for key in ("p50_ms", "p95_ms", "shared_p95_ms", "recall@1", "recall@5", "load"):
            if key in a or key in b:
                row(f"{mode} {key}", a.get(key), b.get(key))
    row("answer p50 ms (warm)", None, ours["answer"]["p50_ms"])
    row("answer p95 ms (warm)", None, ours["answer"]["p95_ms"])
    if "cold_ask" in figures:
        row("cold `newsdesk ask`, s", None, figures["cold_ask"]["median_s"])
    if "serve" in figures:
        serve = figures["serve"]
        for name, label in (("e2e", "end to end"), ("answer_in_server", "answer in the server")):
            row(f"`newsdesk serve` /ask {label} p50 ms", None, serve[name]["p50_ms"])
            row(f"`newsdesk serve` /ask {label} p95 ms", None, serve[name]["p95_ms"])
        row(
            "`newsdesk serve` HTTP p50/p95 ms",
            None,
            "/".join(str(v) for v in serve["http"].values()),
        )
        row("  load average", None, "/".join(str(x) for x in serve["load_average_end"]))
    Console(width=200).print(table)
    ratios = figures["ratios"]
    print(
        f"ingest ratio (Newsdesk / chain): {ratios['ingest']}  (target >= 1.5)\n"
        f"hybrid p95 / chain dense p95: {ratios['hybrid_p95_vs_chain_dense_p95']}  (target <= 1)"
    )
    if "hybrid_shared_vs_quiet_p95" in ratios:
        print(f"hybrid p95 shared / quiet: {ratios['hybrid_shared_vs_quiet_p95']}  (target <= 3)")
    if "serve_e2e_p95_vs_300ms" in ratios:
        print(f"serve end-to-end p95 / 300 ms: {ratios['serve_e2e_p95_vs_300ms']}  (target <= 1)")


def memory_scan(args: argparse.Namespace, folder: Path) -> int:
    """Peak RSS of a Newsdesk ingest into a fresh store, for each corpus size."""
    rows = {}
    for limit in (int(x) for x in args.memory.split(",")):
        work = folder / f"memory-{limit}"
        corpus = limited(args.corpus, limit, folder, args.questions)
        out = folder / f"memory-{limit}.json"
        command = [sys.executable, __file__, "--side", "ingest", "--corpus", str(corpus)]
        command += ["--questions", str(args.questions), "--work", str(work), "--out", str(out)]
        subprocess.run(command, check=True)
        rows[limit] = json.loads(out.read_text(encoding="utf-8"))
        print(limit, rows[limit], flush=True)
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Newsdesk ingest: peak RSS by corpus size")
    columns = list(next(iter(rows.values())))
    table.add_column("articles limit")
    for c in columns:
        table.add_column(c, justify="right")
    for limit, r in rows.items():
        table.add_row(str(limit), *(str(r[c]) for c in columns))
    Console(width=200).print(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--duplicates", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N articles.")
    parser.add_argument("--shared-cores", action="store_true")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument(
        "--no-serve", action="store_true", help="Skip the end-to-end figures through a server."
    )
    parser.add_argument("--memory", default="", help="Sizes (articles) for the RSS scan")
    parser.add_argument("--json", type=Path, default=None)
    # Internal: one side, in a subprocess of the parent.
    parser.add_argument("--side", choices=["chain", "newsdesk", "ingest"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.side:
        run = {"chain": chain_side, "newsdesk": newsdesk_side}
        if args.side == "ingest":
            result = ingest_only(args.corpus, args.work)
        else:
            result = run[args.side](args, args.corpus, args.work)
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return 0

    folder = Path(tempfile.mkdtemp(prefix="newsdesk-compare-"))
    if args.memory:
        return memory_scan(args, folder)
    corpus = limited(args.corpus, args.limit, folder, args.questions)
    figures: dict[str, Any] = {"corpus": corpus.name, "limit": args.limit}
    figures["chain"] = run_side("chain", args, corpus, folder / "chain")
    figures["newsdesk"] = run_side("newsdesk", args, corpus, folder / "newsdesk")
    if args.cold_runs:
        first = json.loads(args.questions.read_text(encoding="utf-8").splitlines()[0])
        figures["cold_ask"] = cold_ask(folder / "newsdesk", first["question"], args.cold_runs)
    texts = figures["newsdesk"].pop("question_texts")
    if not args.no_serve and texts:
        from bench.serve_latency import serve_latency

        figures["serve"] = serve_latency(folder / "newsdesk", texts)
    chain, ours = figures["chain"], figures["newsdesk"]
    figures["ratios"] = {
        "ingest": round(ours["ingest_chunks_per_s"] / chain["ingest_chunks_per_s"], 3),
        "hybrid_p95_vs_chain_dense_p95": round(
            ours["hybrid"]["p95_ms"] / chain["dense"]["p95_ms"], 3
        ),
    }
    if "serve" in figures:
        figures["ratios"]["serve_e2e_p95_vs_300ms"] = figures["serve"]["e2e_p95_vs_target"]
    if "shared_p95_ms" in ours["hybrid"]:
        figures["ratios"]["hybrid_shared_vs_quiet_p95"] = round(
            ours["hybrid"]["shared_p95_ms"] / ours["hybrid"]["p95_ms"], 3
        )
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
