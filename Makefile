# Everyday commands. `make demo` sets everything up from a fresh clone and answers a question
# offline; `make test` runs the whole test suite (what CI runs).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The constraints file pins the CPU build of torch for every install.
PIP := $(BIN)/python -m pip install --quiet --constraint constraints.txt
QUESTION ?= What did Johnson say about Russia?
EVAL ?= ../shared/eval

.PHONY: setup demo test test-fast lint format typecheck eval eval-retrieval eval-answers eval-heldout bench fit clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, on its own, so the resolver never reaches for a CUDA build.
	$(PIP) "torch==2.13.0"
	$(PIP) --editable ".[dev]"
	touch $@

demo: setup
	$(BIN)/newsdesk ingest seeds
	$(BIN)/newsdesk ask "$(QUESTION)"

# pytest exits 5 when it collects no tests; that is a failure of the suite, say so plainly.
test: setup
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$rc

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

# Long evaluations over the shared evaluation data (not part of `make test`).
eval: eval-retrieval eval-answers

eval-retrieval: setup
	$(BIN)/newsdesk eval retrieval --corpus $(EVAL)/bbc/corpus.jsonl \
		--questions $(EVAL)/bbc/questions_dev.jsonl --duplicates $(EVAL)/bbc/duplicates.json \
		--out data/eval/retrieval.json

eval-answers: setup
	$(BIN)/newsdesk eval answers --corpus seeds --questions $(EVAL)/seed_questions.jsonl \
		--out data/eval/answers-seed.json
	$(BIN)/newsdesk eval answers --corpus $(EVAL)/bbc/corpus.jsonl \
		--questions $(EVAL)/bbc/questions_dev.jsonl --duplicates $(EVAL)/bbc/duplicates.json \
		--out data/eval/answers-bbc.json

# Our own held-out questions (training/heldout/), answered like dev: one report per file,
# data/eval/answers-heldout-<file>.json. The decision is fitted on all but questions_r to _u, _w
# to _z and _za to _zg (training/README.md); all of those but _x (read) measure it.
eval-heldout: setup
	for f in training/heldout/*.jsonl; do \
		$(BIN)/newsdesk eval answers --corpus $(EVAL)/bbc/corpus.jsonl --questions $$f \
			--duplicates $(EVAL)/bbc/duplicates.json \
			--out data/eval/answers-heldout-$$(basename $$f .jsonl).json || exit 1; \
	done

# Fit on training/questions_*.jsonl (never the eval sets): the answer-or-abstain decision
# (bot/answer/decision_params.json, training/decision_report.json) and the extractive generator's
# scoring weights (bot/generators/extractive/scoring_params.json, training/extractive_report.json)
# and the citation check's similarity threshold (bot/citations/support_params.json,
# training/support_report.json). Features, sources and sentence vectors are cached in data/fit/.
fit: setup
	$(BIN)/python training/fit_relevance.py
	$(BIN)/python training/fit_decision.py
	$(BIN)/python training/fit_extractive.py
	$(BIN)/python training/fit_support.py

bench: setup
	$(BIN)/python bench/ingest.py --corpus $(EVAL)/bbc/corpus.jsonl \
		--questions $(EVAL)/bbc/questions_dev.jsonl
	$(BIN)/python bench/slack_load.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
