"""Paths and constants the tests share; the one place that knows where the evaluation data is."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED_FILE = next(SEEDS.glob("*.txt"))
# The shared evaluation data sits beside the checkout (read-only, never copied into it);
# NEWSDESK_EVAL_DIR points elsewhere. Tests that need it skip when it is absent.
EVAL = Path(os.environ.get("NEWSDESK_EVAL_DIR") or REPO.parent / "shared" / "eval")
BBC = EVAL / "bbc"
BBC_CORPUS = BBC / "corpus.jsonl"
SEED_QUESTIONS = EVAL / "seed_questions.jsonl"
# The real local model for `pytest -m llm` (tests/integration/test_llm_real.py): an interpreter
# with llama-cpp-python[server] and a GGUF file, beside the checkout unless the variables say
# otherwise (README, "A real local model"). Tests that need them skip when they are absent.
LLAMA_PYTHON = Path(
    os.environ.get("NEWSDESK_TEST_LLAMA_PYTHON") or REPO.parent / "llm-venv" / "bin" / "python"
)
LLM_MODEL = Path(
    os.environ.get("NEWSDESK_TEST_LLM_MODEL")
    or REPO.parent / "llm-model" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
)

# The keys `newsdesk search --json` documents for each hit, and nothing else.
HIT_JSON_KEYS = {
    "article_id",
    "chunk_id",
    "title",
    "source",
    "url",
    "domain",
    "published_at",
    "text",
    "score",
    "dense_score",
    "keyword_score",
}
