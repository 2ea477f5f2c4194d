"""Would a fitted window order beat ``Window.strength``? A measurement, not a fit that ships.

The evidence stage orders each part's windows by ``bot.answer.evidence.Window.strength``, a plain
sum of measurements plus the retrieval-rank prior (``training/evidence_order.py`` chose the
prior). This script asks whether logistic regression on the windows' own measurements orders
them better, on our answerable training questions only (``training/questions_*.jsonl``; never
dev, seed or held-out):

* per part, a window is positive when its article is a gold article (or a duplicate) and its text
  holds the part's must-mention phrase (phrase i for part i when the question lists one per
  part, else any); parts with no positive window are left out;
* models, each cross-validated in 5 folds grouped by question: pointwise logistic regression on
  the raw measurements; the same with each measurement's difference from the part's best added
  (a ranking within the part); pairwise logistic regression on positive-minus-negative
  differences (up to 30 negatives per positive, fixed seed);
* figures: per part, is the first window's article a positive article ("article@1"), and is the
  first window itself positive ("window@1"), for single and multi questions.

    PYTHONPATH=$PWD python training/window_order_fit.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "training"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import fit_decision as fd  # noqa: E402

from bot.answer.evidence import RANK_PRIOR, Window  # noqa: E402


def measurements(w: Window, statement: bool) -> list[float]:
    """The window's measurements (``Window.strength`` sums five of them)."""
    st = 1.0 if statement else 0.0
    return [
        w.constraint_share,
        w.constraint_share * w.value_near,
        w.value_near,
        float(w.value_present),
        w.keyword_coverage,
        w.similarity,
        st * float(w.speaker_attributed) * w.topic_share,
        st * float(w.speaker_attributed),
        st * w.speech_topic,
        1.0 / (1.0 + w.rank),
        w.relation_share,
        float(w.focus_present),
        float(w.predicate_present),
        float(w.event_found),
        float(w.event_realis),
        float(w.withheld),
        w.modal_share,
        w.score,
        w.dense_score,
        w.keyword_score,
    ]


def collect() -> dict[str, np.ndarray]:
    kb = fd.knowledge_base(fd.BBC_CORPUS, fd.BBC_STORE)
    nlp, encode = fd.engine()
    cached = fd.CachedEncode(encode, fd.CACHE / "embeddings.npz")
    duplicates = fd.load_duplicates(fd.BBC_DUPLICATES)
    cols: dict[str, list[Any]] = {k: [] for k in ("x", "y", "art", "q", "part", "multi", "hand")}
    part_id = 0
    for qi, record in enumerate(r for p in fd.TRAINING for r in fd.load_jsonl(p)):
        if not record.get("answerable", True):
            continue
        run = fd.run_question(record, kb, nlp, cached)
        gold: set[str] = set()
        for article in record["article_ids"]:
            gold |= duplicates.get(article, {article})
        phrases = [fd._fold(p) for p in record["must_mention"]]
        for i, ev in enumerate(run.evidence):
            wanted = [phrases[i]] if len(phrases) == len(run.evidence) else phrases
            rows = []
            for w in ev.windows:
                text = fd._fold(fd.window_text(run.passages, w.article_id, w.sentences))
                rows.append((w, w.article_id in gold and any(p in text for p in wanted)))
            if not any(pos for _, pos in rows):
                continue
            positive_articles = {w.article_id for w, pos in rows if pos}
            statement = str(ev.part.answer_type) == "statement"
            for w, pos in rows:
                cols["x"].append(measurements(w, statement))
                cols["y"].append(int(pos))
                cols["art"].append(w.article_id in positive_articles)
                cols["q"].append(qi)
                cols["part"].append(part_id)
                cols["multi"].append(record.get("type") == "multi")
                cols["hand"].append(w.strength)
            part_id += 1
    cached.save()
    return {k: np.asarray(v) for k, v in cols.items()}


def first_is(d: dict[str, np.ndarray], score: np.ndarray, multi: bool) -> tuple[float, float, int]:
    """article@1 and window@1 of ``score`` over the parts of one question type."""
    art = win = n = 0
    for p in np.unique(d["part"]):
        idx = np.where(d["part"] == p)[0]
        if bool(d["multi"][idx[0]]) != multi:
            continue
        # Ties keep the evidence stage's order (the windows are listed strongest first).
        j = idx[int(np.argmax(score[idx]))]
        art += int(d["art"][j])
        win += int(d["y"][j])
        n += 1
    return art / n, win / n, n


def relative(d: dict[str, np.ndarray]) -> np.ndarray:
    rel = d["x"].astype(float).copy()
    for p in np.unique(d["part"]):
        idx = d["part"] == p
        rel[idx] = d["x"][idx] - d["x"][idx].max(axis=0)
    return np.hstack([d["x"], rel])


def pairs(
    d: dict[str, np.ndarray], rows: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    diffs, labels = [], []
    for p in np.unique(d["part"][rows]):
        idx = rows[d["part"][rows] == p]
        pos, neg = idx[d["y"][idx] == 1], idx[d["y"][idx] == 0]
        if not len(pos) or not len(neg):
            continue
        for a in pos:
            for b in rng.choice(neg, size=min(len(neg), 30), replace=False):
                diffs += [d["x"][a] - d["x"][b], d["x"][b] - d["x"][a]]
                labels += [1, 0]
    return np.asarray(diffs), np.asarray(labels)


def main() -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    d = collect()
    print(f"{len(np.unique(d['part']))} parts, {len(d['y'])} windows (rank prior {RANK_PRIOR})")
    scores = {"Window.strength (shipped)": d["hand"].astype(float)}
    rng = np.random.default_rng(fd.SEED)
    both = relative(d)
    point, rel, pair = (np.zeros(len(d["y"])) for _ in range(3))
    for train, test in GroupKFold(fd.FOLDS).split(d["x"], d["y"], d["q"]):
        for out, x in ((point, d["x"]), (rel, both)):
            model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))
            out[test] = model.fit(x[train], d["y"][train]).decision_function(x[test])
        diffs, labels = pairs(d, train, rng)
        ranker = LogisticRegression(C=0.1, max_iter=3000, fit_intercept=False).fit(diffs, labels)
        pair[test] = d["x"][test] @ ranker.coef_[0]
    scores |= {"pointwise LR": point, "pointwise LR + within-part": rel, "pairwise LR": pair}
    print(f"{'order':30s} {'single art@1':>12s} {'win@1':>6s} {'multi art@1':>12s} {'win@1':>6s}")
    for name, score in scores.items():
        s_art, s_win, s_n = first_is(d, score, multi=False)
        m_art, m_win, m_n = first_is(d, score, multi=True)
        print(f"{name:30s} {s_art:12.3f} {s_win:6.3f} {m_art:12.3f} {m_win:6.3f}")
    print(f"({s_n} single-question parts, {m_n} multi-question parts; 5 folds by question)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
