"""Fit the answer-or-abstain decision on our training questions (``make fit``).

Read for fitting and choosing: ``DECISION_TRAINING``, every question file we wrote except the
held-out files kept for measuring it (``training/README.md``); the dev and seed question files
are test sets (``newsdesk eval answers`` reports on them; nothing feeds back).

1. The BBC store: built in ``data/eval-bbc`` on the first run (as ``newsdesk eval`` does), reused
   after.
2. Retrieval exactly as the core does it: the question's k=6 hybrid hits, plus ceil(k/2) for each
   part of a compound question (its parts as question analysis splits them, as
   ``bot.core.Answerer._search`` does).
3. Per question: analysis (``bot.answer.question.analyse``), evidence per part
   (``bot.answer.evidence``), one feature vector per part (``bot.answer.features``). Cached in
   ``data/fit/`` under a key of the training files, the engine's source and the retrieval
   settings, so a refit that changes only the model is fast.
4. Labels, per part: the part belongs to an answerable question (the corpus answers it) or not;
   the parts an unanswerable compound question lists in ``answered_parts`` (5 questions: "What
   is the MPAA's software for parents called, and how many parents have downloaded it?") are
   answered by the corpus, and positive, so a partial answer is what the fit learns there.
   (An earlier rule also labelled negative the 75 answerable parts whose retrieved windows lack a
   must-mention phrase; that mixed retrieval misses into what the decision learns, and its
   cross-validated question-level AUC is 0.83 against 0.87 with this rule: `question_auc` in the
   report.) ``label_parts``
   still computes the windows rule; the report counts it, for comparison.
5. Models: standardised features, ``LogisticRegression`` calibrated with ``CalibratedClassifierCV``
   (sigmoid, 5 inner folds, ``ensemble=False`` so one regression and one calibration map come
   out); compared with ``HistGradientBoostingClassifier`` calibrated the same way.
   Cross-validation: 5 folds grouped by question (a question's parts stay together), each
   question's fold fixed by a hash of its id (``fold_of``), so that adding or splitting one
   question does not move the others.
6. Threshold rule: the lowest probability threshold (on a 0.005 grid) at which, on the
   out-of-fold probabilities, at least as many of the unanswerable training questions are
   abstained on (every part below the threshold) as the reference decision abstains on
   (``training/reference_decision.json``, the decision shipped from b2806d6 to session 45,
   applied to the same rows): a refit may answer more of the answerable questions, never at
   the price of more near misses answered on ours. Until session 45 the rule was the highest
   threshold at which at most ``TARGET_FALSE_ABSTAIN`` of the answerable training questions are
   abstained on whole; on fresh questions it put every refit at a less cautious point than the
   shipped file's (training/README.md). The report gives both.
7. Writes ``bot/answer/decision_params.json`` (what the package loads, numpy only) and
   ``training/decision_report.json`` (the cross-validation figures).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.answer.anchors import question_anchors  # noqa: E402
from bot.answer.evidence import Evidence, Passages, prepare_passages  # noqa: E402
from bot.answer.features import FEATURE_NAMES, feature_vector  # noqa: E402
from bot.answer.judge import weigh_parts  # noqa: E402
from bot.answer.passages import window_text  # noqa: E402
from bot.answer.question import analyse  # noqa: E402

TRAINING = sorted((ROOT / "training").glob("questions_*.jsonl"))
# The decision learns from every question file we wrote except the held-out files kept for
# measuring it (training/README.md): the training files above (which the extractive weights and
# the support threshold are fitted on too), the pending files written for shapes those lack, and
# the held-out files already read for failure kinds. With them the cross-validated question AUC
# and the held-out files' AUC rise (CHANGELOG, session 45).
FITTED_HELDOUT = (
    "questions_d.jsonl",
    "questions_f.jsonl",
    *(f"questions_{c}.jsonl" for c in "ghijklmnopq"),
    "partial_questions.jsonl",
)
DECISION_TRAINING = [
    *TRAINING,
    *sorted((ROOT / "training/pending").glob("*.jsonl")),
    *(ROOT / "training/heldout" / name for name in FITTED_HELDOUT),
]
BBC_CORPUS = ROOT / "../shared/eval/bbc/corpus.jsonl"
BBC_DUPLICATES = ROOT / "../shared/eval/bbc/duplicates.json"
BBC_STORE = ROOT / "data/eval-bbc"
CACHE = ROOT / "data/fit"
PARAMS_OUT = ROOT / "bot/answer/decision_params.json"
REFERENCE = ROOT / "training/reference_decision.json"
REPORT_OUT = ROOT / "training/decision_report.json"

K = 6


def anchored() -> bool:
    """Whether the evidence stage parses only the sentences near what the question names (the
    setting ``evidence_anchored``): the decision is fitted on what the core computes."""
    from bot.settings import Settings

    return Settings().answer.evidence_anchored


SEED = 0
FOLDS = 5
TARGET_ABSTAIN = 0.90
TARGET_FALSE_ABSTAIN = 0.05

# The engine's source files whose change may change the features (part of the cache key): every
# module of the answering core and of its question analysis, and the citation check's roles
# (``bot.answer.binding`` reads doers with them). Globbed, not listed: a new module of the core
# cannot be forgotten (one that does not touch the features costs one recomputation).
ENGINE_FILES = (
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "bot/answer").glob("*.py")),
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "bot/answer/question").glob("*.py")),
    "bot/citations/roles.py",
)


# --- running the engine over a question file ------------------------------------------------------


def git_blob_hash(path: Path) -> str:
    """The hash ``git hash-object`` gives the file's content."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_head() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load_duplicates(path: Path) -> dict[str, set[str]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, set[str]] = {}
    for key, value in data.items():
        if not isinstance(value, list):
            continue
        for group in value:
            if isinstance(group, list):
                for aid in group:
                    groups.setdefault(aid, set()).update(group)
        del key
    return groups


def knowledge_base(corpus: Path, store: Path) -> Any:
    """A store of the corpus of its own (built on first use, reused while unchanged)."""
    from bot.settings import Settings
    from retrieval.knowledge_base import KnowledgeBase

    settings = Settings()
    config = settings.retrieval.model_copy(update={"store_path": store, "chroma_host": None})
    kb = KnowledgeBase(config)
    started = time.perf_counter()
    report = kb.ingest(corpus)
    print(
        f"store {store}: {report.total_chunks} chunks ({report.chunks_written} embedded now, "
        f"{time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    return kb


def core_search(kb: Any, question: str, parts: list[str], k: int = K) -> list[Any]:
    """The hits ``bot.core.Answerer._search`` gets: the question's k, then ceil(k/2) for each part
    of a compound question (each part's ``query``: its words and the names it took over), or
    for each thing of a coordinated one (``QuestionAnalysis.queries``)."""
    hits = list(kb.search(question, k=k, mode="hybrid"))
    seen = {h.chunk_id for h in hits}
    per_part = max(1, -(-k // 2))
    for part in parts if len(parts) > 1 else []:
        for hit in kb.search(part, k=per_part, mode="hybrid"):
            if hit.chunk_id not in seen:
                seen.add(hit.chunk_id)
                hits.append(hit)
    return hits


@dataclass
class Run:
    """One question through retrieval, analysis and evidence."""

    record: dict[str, Any]
    hits: list[Any]
    passages: Passages
    evidence: list[Evidence]
    seconds_evidence: float


def run_question(record: dict[str, Any], kb: Any, nlp: Any, encode: Any) -> Run:
    question = " ".join(record["question"].split())
    started = time.perf_counter()
    analysis = analyse(question, nlp)
    hits = core_search(kb, question, analysis.queries())
    # As the core does (the setting evidence_anchored): the decision reads what it will read.
    anchors = question_anchors(analysis) if anchored() else None
    passages = prepare_passages(hits, nlp, encode, anchors=anchors)
    evidence = list(weigh_parts(analysis, passages, encode)[1])
    return Run(record, hits, passages, evidence, time.perf_counter() - started)


def _fold(text: str) -> str:
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-")):
        text = text.replace(a, b)
    return " ".join(text.lower().split())


def label_parts(run: Run, duplicates: dict[str, set[str]]) -> list[int]:
    """The labelling rule of the module docstring, per part."""
    record = run.record
    if not record.get("answerable", True):
        return [0] * len(run.evidence)
    gold: set[str] = set()
    for aid in record.get("article_ids", []):
        gold |= duplicates.get(aid, {aid})
    phrases = [_fold(p) for p in record.get("must_mention", [])]
    labels = []
    for ev in run.evidence:
        positive = 0
        for aid, window in sorted(ev.best_by_article.items()):
            if aid not in gold:
                continue
            text = _fold(window_text(run.passages, aid, window.sentences))
            if any(p in text for p in phrases):
                positive = 1
                break
        labels.append(positive)
    return labels


def engine() -> tuple[Any, Any]:
    from bot.answer.nlp import load_nlp
    from retrieval.embeddings import LocalEmbeddings

    return load_nlp(), LocalEmbeddings().encode


class CachedEncode:
    """The encoder with its vectors remembered in ``data/fit/`` (sentences repeat across refits
    and across the questions about one story; embedding them is most of the feature time)."""

    def __init__(self, encode: Any, path: Path) -> None:
        self.encode = encode
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            for text, vec in zip(data["texts"].tolist(), data["vectors"], strict=True):
                self.vectors[text] = vec

    def __call__(self, texts: Any) -> np.ndarray:
        todo = sorted({t for t in texts if t not in self.vectors})
        if todo:
            for text, vec in zip(todo, self.encode(todo), strict=True):
                self.vectors[text] = np.asarray(vec, dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])

    def save(self) -> None:
        texts = sorted(self.vectors)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            self.path,
            texts=np.array(texts, dtype=str),
            vectors=np.stack([self.vectors[t] for t in texts]),
        )


# --- features, cached --------------------------------------------------------------------------


def text_files() -> list[Path]:
    """The code that makes the passages' text (loading: HTML references decoded, ...; chunking):
    a cache of anything read from the store is stale when one of them changes."""
    return [ROOT / "retrieval/chunking.py", *sorted((ROOT / "retrieval/loaders").glob("*.py"))]


def cache_key() -> str:
    h = hashlib.sha256()
    for path in DECISION_TRAINING:
        h.update(git_blob_hash(path).encode())
    for name in ENGINE_FILES:
        # The cross-encoder's reader does not shape a cached row: each row's relevance is
        # replaced by its cross-fitted score (``with_relevance``).
        if name != "bot/answer/relevance.py":
            h.update(git_blob_hash(ROOT / name).encode())
    h.update(git_blob_hash(ROOT / "retrieval/settings.py").encode())
    for path in text_files():
        h.update(git_blob_hash(path).encode())
    h.update(",".join(FEATURE_NAMES).encode())
    h.update(f"k={K};search=analysis-queries;anchored={anchored()}".encode())
    return h.hexdigest()[:16]


def question_file(path: Path) -> str:
    """A question file's name in question ids, ``questions_a.jsonl`` or
    ``heldout/questions_d.jsonl``: its path under ``training/`` (ids, and so folds, of the
    training files unchanged)."""
    return str(path.relative_to(ROOT / "training"))


def part_rows(question_id: str, run: Run, duplicates: dict[str, set[str]]) -> list[dict[str, Any]]:
    """The decision's training rows of one question's run, a row per part."""
    record = run.record
    labels = label_parts(run, duplicates)
    answered = set(record.get("answered_parts", []))
    return [
        {
            "question_id": question_id,
            "type": record.get("type", "single"),
            # An unanswerable compound question whose first part the corpus answers
            # (``answered_parts``): that part is answerable (module docstring, 4).
            "answerable": bool(record.get("answerable", True)) or j in answered,
            "part": j,
            "parts": len(run.evidence),
            "answer_type": str(ev.part.answer_type),
            "features": [round(float(v), 6) for v in feature_vector(ev)],
            "label": labels[j],
        }
        for j, ev in enumerate(run.evidence)
    ]


def features_path() -> Path:
    """Where the training rows of the current engine are cached."""
    return CACHE / f"features-{cache_key()}.json"


def compute_rows(nlp: Any = None, encode: Any = None) -> list[dict[str, Any]]:
    """One row per part of every training question (from the cache when it is current)."""
    path = features_path()
    if path.exists():
        print(f"features from {path}", file=sys.stderr)
        rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return with_relevance(rows)
    kb = knowledge_base(BBC_CORPUS, BBC_STORE)
    if nlp is None or encode is None:
        nlp, encode = engine()
    cached = CachedEncode(encode, CACHE / "embeddings.npz")
    encode = cached
    duplicates = load_duplicates(BBC_DUPLICATES)
    rows = []
    records = [
        (question_file(p), n, r) for p in DECISION_TRAINING for n, r in enumerate(load_jsonl(p))
    ]
    started = time.perf_counter()
    for i, (name, n, record) in enumerate(records):
        run = run_question(record, kb, nlp, encode)
        rows += part_rows(f"{name}:{n}", run, duplicates)
        if (i + 1) % 25 == 0:
            print(
                f"  {i + 1}/{len(records)} questions, {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.save()
    path.write_text(json.dumps(rows), encoding="utf-8")
    return with_relevance(rows)


RELEVANCE_SCORES = CACHE / "relevance-oof.json"


def with_relevance(
    rows: list[dict[str, Any]], scores: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """The rows with their cross-fitted ``relevance`` (``training/fit_relevance.py`` writes it:
    each part scored by a cross-encoder not trained on its question's fold), in place of the
    floor the evidence alone gives. ``scores``: other scores by ``question_id:part`` (a
    measurement's, ``relevance_windows.py``) instead of the file."""
    if "relevance" not in FEATURE_NAMES:
        return rows
    if scores is None:
        if not RELEVANCE_SCORES.exists():
            raise SystemExit(f"{RELEVANCE_SCORES} is missing: run training/fit_relevance.py first")
        scores = json.loads(RELEVANCE_SCORES.read_text(encoding="utf-8"))
    at = FEATURE_NAMES.index("relevance")
    for row in rows:
        row["features"][at] = scores[f"{row['question_id']}:{row['part']}"]
    return rows


# --- fitting -----------------------------------------------------------------------------------


def make_model(kind: str) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "lr":
        base: Any = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    else:
        base = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=SEED)
    return CalibratedClassifierCV(base, method="sigmoid", cv=5, ensemble=False)


def fold_of(question_id: str) -> int:
    """A question's fold, from its id alone ("questions_a.jsonl:12"). Adding, removing or
    splitting one question leaves every other question in its fold, so the figures of two runs
    differ by what changed, not by redrawn folds (a stratified shuffle redrew them all: one
    question split in two moved the log loss by 0.005 on average, CHANGELOG)."""
    return int(hashlib.sha1(question_id.encode("utf-8")).hexdigest(), 16) % FOLDS


def folds_of(groups: np.ndarray) -> np.ndarray:
    """Each row's fold (rows are grouped by question id)."""
    return np.array([fold_of(str(g)) for g in groups], dtype=np.int64)


def out_of_fold(kind: str, x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    fold = folds_of(groups)
    prob = np.zeros(len(y))
    for k in range(FOLDS):
        test = fold == k
        model = make_model(kind).fit(x[~test], y[~test])
        prob[test] = model.predict_proba(x[test])[:, 1]
    return prob


def reference_probabilities(rows: list[dict[str, Any]]) -> tuple[np.ndarray, float]:
    """The reference decision's probabilities of the rows, and its threshold
    (``training/reference_decision.json``: the decision fitted at b2806d6 and shipped until
    session 45). Its features are taken by name: a feature it was not fitted with is left out."""
    from bot.answer.decision import DecisionParams

    ref = DecisionParams.from_dict(json.loads(REFERENCE.read_text(encoding="utf-8")), None)
    idx = [FEATURE_NAMES.index(n) for n in ref.feature_names]
    x = np.array([r["features"] for r in rows], dtype=np.float64)[:, idx]
    return np.array([ref.probability(v) for v in x]), ref.threshold


def _best_by_question(rows: list[dict[str, Any]], prob: np.ndarray, answerable: bool) -> np.ndarray:
    """Each question's best part probability, for the answerable or the unanswerable ones."""
    by_q: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if bool(r["answerable"]) == answerable:
            by_q.setdefault(r["question_id"], []).append(i)
    return np.array([max(prob[i] for i in idx) for idx in by_q.values()])


def caution(rows: list[dict[str, Any]], prob: np.ndarray, threshold: float) -> float:
    """The share of the unanswerable training questions abstained on at ``threshold`` (every
    part below it): what the threshold rule compares (step 6)."""
    return float(np.mean(_best_by_question(rows, prob, answerable=False) < threshold))


def reference_caution(rows: list[dict[str, Any]]) -> float:
    """The share of the unanswerable training questions the reference decision abstains on."""
    return caution(rows, *reference_probabilities(rows))


def choose_threshold(rows: list[dict[str, Any]], prob: np.ndarray) -> float:
    """The lowest threshold at which the unanswerable training questions abstained on (every
    part below it) are at least as many as the reference decision's (see the module docstring,
    step 6)."""
    if not any(not r["answerable"] for r in rows):
        return 0.5
    return threshold_for_caution(rows, prob, reference_caution(rows))


def threshold_for_caution(rows: list[dict[str, Any]], prob: np.ndarray, target: float) -> float:
    """The lowest threshold (in steps of 0.005) at which at least ``target`` of the unanswerable
    training questions are abstained on (every part below it)."""
    best = _best_by_question(rows, prob, answerable=False)
    for t in np.arange(0.0, 1.0, 0.005):
        if float(np.mean(best < t)) >= target - 1e-12:
            return round(float(t), 3)
    return 0.995


def false_abstain_threshold(rows: list[dict[str, Any]], prob: np.ndarray) -> float:
    """The highest threshold at which at most TARGET_FALSE_ABSTAIN of the answerable questions
    have every part below it (the rule until session 45; reported, not shipped)."""
    best = _best_by_question(rows, prob, answerable=True)
    if not len(best):
        return 0.5
    chosen = 0.0
    for t in np.arange(0.0, 1.0, 0.005):
        if float(np.mean(best < t)) <= TARGET_FALSE_ABSTAIN:
            chosen = float(t)
    return round(chosen, 3)


def abstain_target_threshold(prob: np.ndarray, answerable: np.ndarray) -> float:
    """The lowest threshold at which TARGET_ABSTAIN of the unanswerable parts abstain."""
    neg = np.sort(prob[~answerable])
    high = float(neg[min(len(neg) - 1, math.ceil(TARGET_ABSTAIN * len(neg)) - 1)])
    return float(np.nextafter(high, 1.0))


def figures(rows: list[dict[str, Any]], prob: np.ndarray, threshold: float) -> dict[str, Any]:
    """Part- and question-level figures of a decision (answer when p >= threshold)."""
    answer = prob >= threshold
    y = np.array([r["answerable"] for r in rows], dtype=bool)
    ans_q = np.array([r["answerable"] for r in rows], dtype=bool)
    out: dict[str, Any] = {"threshold": round(threshold, 4)}

    def rate(mask: np.ndarray, of: np.ndarray) -> dict[str, Any]:
        n = int(of.sum())
        k = int((mask & of).sum())
        return {"k": k, "n": n, "rate": round(k / n, 4) if n else None}

    out["parts"] = {
        "abstain_unanswerable": rate(~answer, ~ans_q),
        "false_abstain_positive": rate(~answer, y),
        "false_abstain_answerable_single": rate(
            ~answer, ans_q & np.array([r["type"] == "single" for r in rows])
        ),
        "false_abstain_answerable_multi": rate(
            ~answer, ans_q & np.array([r["type"] == "multi" for r in rows])
        ),
        "answer_precision": rate(y, answer),
        "answer_recall": rate(answer, y),
        "answered_negative_of_answerable": rate(answer, ans_q & ~y),
    }
    by_q: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_q.setdefault(r["question_id"], []).append(i)
    outcomes: Counter[tuple[str, str]] = Counter()
    q_types: dict[str, str] = {}
    for qid, idx in by_q.items():
        n_ans = int(answer[idx].sum())
        outcome = "answered" if n_ans == len(idx) else ("partial" if n_ans else "no_answer")
        q_types[qid] = rows[idx[0]]["type"]
        outcomes[(q_types[qid], outcome)] += 1
    questions: dict[str, Any] = {}
    for t in ("single", "multi", "unanswerable"):
        n = sum(v for (tt, _), v in outcomes.items() if tt == t)
        answered = outcomes[(t, "answered")]
        questions[t] = {
            "n": n,
            "answered": answered,
            "partial": outcomes[(t, "partial")],
            "no_answer": outcomes[(t, "no_answer")],
            # Unanswerable: any part abstaining says the articles lack something asked.
            # Answerable: anything short of a full answer is a (partial) false abstain.
            "not_answered_rate": round((n - answered) / n, 4) if n else None,
        }
    q_answered = sum(outcomes[(t, "answered")] for t in ("single", "multi", "unanswerable"))
    q_correct = outcomes[("single", "answered")] + outcomes[("multi", "answered")]
    questions["answer_precision"] = round(q_correct / q_answered, 4) if q_answered else None
    n_answerable = questions["single"]["n"] + questions["multi"]["n"]
    questions["answer_recall"] = round(q_correct / n_answerable, 4) if n_answerable else None
    out["questions"] = questions
    return out


def export_lr(model: Any, threshold: float, n_rows: int, n_questions: int) -> dict[str, Any]:
    """The fitted, calibrated regression as plain numbers (what bot.answer.decision reads)."""
    calibrated = model.calibrated_classifiers_[0]
    pipe = calibrated.estimator
    scaler, lr = pipe[0], pipe[-1]
    calibrator = calibrated.calibrators[0]
    return {
        "feature_names": list(FEATURE_NAMES),
        "scaler": {
            "mean": [float(v) for v in scaler.mean_],
            "scale": [float(v) for v in scaler.scale_],
        },
        "coef": [float(v) for v in lr.coef_[0]],
        "intercept": float(lr.intercept_[0]),
        # sklearn's sigmoid calibration: p = 1 / (1 + exp(a * logit + b)).
        "calibration": {"kind": "sigmoid", "a": float(calibrator.a_), "b": float(calibrator.b_)},
        "threshold": threshold,
        # What the core checks against its setting (bot.core.Answerer.decision_params).
        "evidence_anchored": anchored(),
        "threshold_rule": (
            "lowest threshold at which at least as many of the unanswerable training questions "
            "are abstained on as the reference decision (training/reference_decision.json) "
            f"abstains on, on {FOLDS}-fold cross-validated probabilities"
        ),
        "training_parts": n_rows,
        "training_questions": n_questions,
        "training_files": {str(p.relative_to(ROOT)): git_blob_hash(p) for p in DECISION_TRAINING},
        "fitted_by": "make fit  (python training/fit_decision.py)",
        "fitted_at_commit": git_head(),
        "sklearn_model": "StandardScaler + LogisticRegression(C=1.0), "
        "CalibratedClassifierCV(method='sigmoid', cv=5, ensemble=False)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="report only")
    args = parser.parse_args(argv)
    import sklearn

    rows = compute_rows()
    x = np.array([r["features"] for r in rows], dtype=np.float64)
    y = np.array([r["answerable"] for r in rows], dtype=np.int64)
    windows_label = np.array([r["label"] for r in rows], dtype=np.int64)
    groups = np.array([r["question_id"] for r in rows])
    answerable = np.array([r["answerable"] for r in rows], dtype=bool)
    n_questions = len(set(groups.tolist()))
    print(
        f"{len(rows)} parts of {n_questions} questions; {int(y.sum())} positive, "
        f"{int((answerable & (windows_label == 0)).sum())} answerable parts whose windows lack "
        "a must-mention phrase"
    )
    report: dict[str, Any] = {
        "sklearn": sklearn.__version__,
        "parts": len(rows),
        "questions": n_questions,
        "positive_parts": int(y.sum()),
        "answerable_parts_without_must_mention_in_windows": int(
            (answerable & (windows_label == 0)).sum()
        ),
        "labelling_rule": "a part is positive when its question is answerable by the corpus, "
        "or it is one of the answered_parts of an unanswerable compound question",
        "cv": f"{FOLDS} folds by question (fold_of: a hash of the question's id)",
        "target": {"abstain_unanswerable": TARGET_ABSTAIN, "false_abstain": TARGET_FALSE_ABSTAIN},
        "reference_caution": round(reference_caution(rows), 4),
        "models": {},
        # Question-level AUC (a question's best part against its answerability) of the
        # out-of-fold logistic regression fitted on each labelling rule (module docstring, 4).
        "question_auc": {
            "answerable_label": _question_auc(rows, out_of_fold("lr", x, y, groups)),
            "windows_label": _question_auc(rows, out_of_fold("lr", x, windows_label, groups)),
        },
    }
    for kind, name in (("lr", "logistic_regression"), ("hgb", "hist_gradient_boosting")):
        prob = out_of_fold(kind, x, y, groups)
        threshold = choose_threshold(rows, prob)
        figs = figures(rows, prob, threshold)
        figs["log_loss"] = round(_log_loss(y, prob), 4)
        # The rule's measure, as reference_caution measures it for the reference.
        figs["caution"] = round(caution(rows, prob, threshold), 4)
        # The rule used until session 45, for the report only.
        figs["at_false_abstain_target"] = figures(rows, prob, false_abstain_threshold(rows, prob))
        # The other end of the trade-off, for the report only (not what is shipped).
        figs["at_abstain_target"] = figures(rows, prob, abstain_target_threshold(prob, answerable))
        report["models"][name] = figs
        print_figures(name, figs)
    final = make_model("lr").fit(x, y)
    threshold = report["models"]["logistic_regression"]["threshold"]
    params = export_lr(final, threshold, len(rows), n_questions)
    report["coefficients"] = dict(zip(FEATURE_NAMES, params["coef"], strict=True))
    if not args.no_write:
        PARAMS_OUT.write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
        REPORT_OUT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {PARAMS_OUT.relative_to(ROOT)} and {REPORT_OUT.relative_to(ROOT)}")
    return 0


def _question_auc(rows: list[dict[str, Any]], prob: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    by_q: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_q.setdefault(r["question_id"], []).append(i)
    truth = [rows[idx[0]]["answerable"] for idx in by_q.values()]
    best = [max(prob[i] for i in idx) for idx in by_q.values()]
    return round(float(roc_auc_score(truth, best)), 4)


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def print_figures(name: str, figs: dict[str, Any]) -> None:
    parts, qs = figs["parts"], figs["questions"]

    def kn(d: dict[str, Any]) -> str:
        return f"{d['k']}/{d['n']} ({d['rate']})"

    print(f"\n{name}: threshold {figs['threshold']}, log loss {figs.get('log_loss')}")
    print(f"  parts: abstain on unanswerable {kn(parts['abstain_unanswerable'])}")
    print(f"         false abstain on positive {kn(parts['false_abstain_positive'])}")
    print(f"         abstain on answerable single {kn(parts['false_abstain_answerable_single'])}")
    print(f"         abstain on answerable multi {kn(parts['false_abstain_answerable_multi'])}")
    print(
        f"         answer precision {kn(parts['answer_precision'])}, "
        f"recall {kn(parts['answer_recall'])}"
    )
    for t in ("single", "multi", "unanswerable"):
        q = qs[t]
        print(
            f"  questions {t}: {q['answered']} answered, {q['partial']} partial, "
            f"{q['no_answer']} no answer of {q['n']} (not fully answered {q['not_answered_rate']})"
        )
    print(f"  questions: answer precision {qs['answer_precision']}, recall {qs['answer_recall']}")
    other = figs.get("at_abstain_target")
    if other:
        o = other["questions"]
        print(
            f"  (at threshold {other['threshold']}, abstain on unanswerable parts "
            f"{kn(other['parts']['abstain_unanswerable'])}: answerable questions not answered at "
            f"all {o['single']['no_answer'] + o['multi']['no_answer']} of "
            f"{o['single']['n'] + o['multi']['n']})"
        )


if __name__ == "__main__":
    raise SystemExit(main())
