"""The answering core: question (+ history) -> ``Answer``. Every front end calls this, nothing else.

Pipeline, each stage timed:

1. **validate**: the question is cleaned (``bot.question.clean_question``: invalid characters
   replaced, whitespace collapsed); an empty question or one over ``max_question_chars`` gets a
   clear message (status ``error``); bad input never raises.
2. **condense**: a follow-up becomes a standalone question from the earlier turns (with the
   generator's chat model when an LLM generator is in use, else the deterministic rewrite).
3. **retrieve**: the ``k`` best passages (hybrid search).
4. **decide**: question analysis, evidence and the fitted decision (``bot.answer.judge``) answer
   or abstain per part of the question, before any generator (any LLM) runs: no part answered
   gives the one no-answer message; some parts answered give a partial answer.
5. **generate**: the selected generator writes a draft citing the passages by key; a failure or
   timeout falls back to the extractive answer, recorded on the ``Answer``.
6. **check**: ``bot.citations.check_draft`` removes unknown keys and unsupported or uncited
   sentences; if too little survives, the extractive answer is used instead. Sources are then
   renumbered by first use (one number per article) and turned into ``Citation`` values quoting
   the supporting sentence with its span in the article body.

Nothing here imports Slack, LangChain or torch at import time.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from bot.answer.cache import PassageCache, parse_store_folder
from bot.citations import build_citations, check_draft
from bot.common.deadline import failed_with_reference
from bot.encoder import CachedEncoder, Encoder
from bot.generators import Generator, GeneratorError, build_generator
from bot.generators.extractive import ExtractiveGenerator, build_extractive_generator
from bot.question import QuestionError, clean_question, valid_text
from bot.stages import (
    FAILURES,
    MAX_DRAFT_CHARS,
    StageTimer,
    askable,
    generator_failure,
    search_with_parts,
    without_question,
)
from bot.types import (
    FALLBACK_NOTE,
    NO_ANSWER_MESSAGE,
    Answer,
    Dropped,
    Turn,
    not_said,
    number_sources,
)

if TYPE_CHECKING:
    from bot.answer.decision import DecisionParams
    from bot.answer.judge import Judgement
    from bot.answer.question import QuestionAnalysis
    from bot.prompts import Prompt
    from bot.settings import Settings
    from retrieval.embeddings import LocalEmbeddings
    from retrieval.types import Hit

log = logging.getLogger(__name__)

EXTRACTIVE = "extractive"

# Answered (with the extractive generator) by ``Answerer.warm``: any words do; these retrieve
# something from any news archive, so that the whole answer path runs once.
WARM_UP_QUESTION = "What happened?"


class Searcher(Protocol):
    """What the core (and the front ends that report an empty store) need of the knowledge base."""

    def search(self, query: str, k: int | None = None, mode: Any = "hybrid") -> list[Hit]: ...

    def count(self) -> int:
        """How many passages the store holds (0: nothing ingested yet)."""
        ...


GeneratorFactory = Callable[[str, "Settings", Encoder], Generator]


class Answerer:
    """Answers questions from a searcher's passages; one instance serves every front end."""

    def __init__(
        self,
        searcher: Searcher,
        embeddings: LocalEmbeddings,
        settings: Settings,
        generator_factory: GeneratorFactory = build_generator,
    ) -> None:
        self.searcher = searcher
        self.embeddings = embeddings
        # The one cache of sentence vectors, shared by the generators and the citation check.
        self.encoder = CachedEncoder(embeddings, store_folder=parse_store_folder(settings))
        # Sentence splits and spaCy parses of passages, kept between questions (bot.answer.cache).
        self.passages = PassageCache(store_folder=self.encoder.store_folder)
        self.settings = settings
        self._generator_factory = generator_factory
        self._generators: dict[str, Generator] = {}
        self._lock = threading.Lock()
        self._params: DecisionParams | None = None
        self._warm_lock = threading.Lock()
        self._warm = threading.Event()
        self.warm_seconds: float | None = None

    # --- building blocks, cached -----------------------------------------------------------------
    def generator(self, name: str) -> Generator:
        """The generator registered as ``name``, built once (raises ``GeneratorError``)."""
        with self._lock:
            gen = self._generators.get(name)
            if gen is None:
                gen = self._generator_factory(name, self.settings, self.encoder)
                if isinstance(gen, ExtractiveGenerator):
                    # The sentences it reads were parsed by the evidence stage: one cache.
                    gen.passages = self.passages
                self._generators[name] = gen
            return gen

    @property
    def extractive(self) -> ExtractiveGenerator:
        gen = self.generator(EXTRACTIVE)
        if isinstance(gen, ExtractiveGenerator):
            return gen
        # A registry that replaced the extractive generator still leaves the core its own scorer.
        fallback = build_extractive_generator(self.settings, self.encoder)
        fallback.passages = self.passages
        return fallback

    @staticmethod
    def chat_model(generator: Generator | None = None) -> Any:
        """The chat model for condensing follow-ups: the LLM generator's own, if it has one."""
        return getattr(generator, "chat_model", None)

    @property
    def decision_params(self) -> DecisionParams:
        """The fitted decision (``bot/answer/decision_params.json``), its threshold replaced by
        ``answer.decision_threshold`` when that is set."""
        if self._params is None:
            from bot.answer.decision import configured_params

            answer = self.settings.answer
            self._params = configured_params(answer.decision_threshold, answer.evidence_anchored)
        return self._params

    def analyse(self, question: str) -> QuestionAnalysis:
        from bot.answer.nlp import load_nlp
        from bot.answer.question import analyse

        # Parsed through the passage cache, where the extractive generator finds it again.
        nlp = load_nlp()
        text = question.strip()
        doc = self.passages.parse([text], nlp)[0] if text else None
        return analyse(question, nlp, doc=doc)

    def judge(self, analysis: QuestionAnalysis, hits: Sequence[Hit]) -> Judgement:
        from bot.answer.judge import judge
        from bot.answer.nlp import load_nlp
        from bot.answer.relevance import default_model

        reader = default_model(self.settings.retrieval.torch_threads)
        encode, params, cache = self.encoder.encode, self.decision_params, self.passages
        anchored = self.settings.answer.evidence_anchored
        return judge(analysis, hits, load_nlp(), encode, params, cache, anchored, reader)

    def load_answer_prompt(self, name: str | None = None) -> Prompt:
        from bot.prompts import load_prompt

        return load_prompt(name or self.settings.answer.prompt)

    # --- readiness -------------------------------------------------------------------------------
    @property
    def is_warm(self) -> bool:
        return self._warm.is_set()

    def warm(self, *, rehearse: bool = True) -> float:
        """Load everything the first answer needs, now: the store, the embedding model, the
        keyword index, the configured generator, spaCy's pipeline, and (``rehearse``) one
        extractive answer (the sentence scorer, the decision's reader, the citation check).
        Returns the seconds it took (0 when already warm).

        ``rehearse=False`` is for a process that answers one question (``newsdesk ask``): the
        rehearsal answer would cost about as much again as the answer itself, and the first
        answer meets nothing a concurrent one could race for.

        Safe from any number of threads: one warms, the others wait for it. ``answer`` calls it
        too, so that concurrent first questions never open the store at the same time (chromadb
        fails then). Raises what opening the store raises; the next call tries again."""
        if self._warm.is_set():
            return 0.0
        with self._warm_lock:
            if self._warm.is_set():
                return 0.0
            started = time.perf_counter()
            warm_searcher = getattr(self.searcher, "warm", None)
            if callable(warm_searcher):
                warm_searcher()
            self.generator(self.settings.answer.generator)
            if rehearse:
                self._answer(WARM_UP_QUESTION, generator=EXTRACTIVE)
            else:
                from bot.answer.nlp import load_nlp

                load_nlp()
            self.warm_seconds = time.perf_counter() - started
            self._warm.set()
            log.info("Warm in %.1f s", self.warm_seconds)
            return self.warm_seconds

    # --- the pipeline ----------------------------------------------------------------------------
    def answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        generator: str | None = None,
        prompt: str | None = None,
    ) -> Answer:
        if not self._warm.is_set() and askable(question, self.settings.answer.max_question_chars):
            # A question refused at validation loads nothing (it is refused below at once).
            try:
                self.warm()
            except Exception:
                # The answer below meets the same problem and reports it as an error answer.
                log.exception("warming up failed")
        return self._answer(question, history, k=k, generator=generator, prompt=prompt)

    def _answer(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        generator: str | None = None,
        prompt: str | None = None,
    ) -> Answer:
        timer = StageTimer()
        gen_name = (generator or self.settings.answer.generator).strip()
        # The question as asked (invalid characters replaced, so it can always be shown).
        question = valid_text(question)

        def error(message: str, **extra: Any) -> Answer:
            return Answer(
                question=question,
                text=message,
                status="error",
                error=message,
                generator=gen_name,
                timings_ms=timer.done(),
                **extra,
            )

        # 1. validate
        try:
            cleaned = clean_question(question, self.settings.answer.max_question_chars)
        except QuestionError as exc:
            timer.lap("validate")
            return error(str(exc))
        k = k if k is not None else self.settings.retrieval.k
        if k < 1:
            timer.lap("validate")
            return error(f"k must be at least 1 (got {k}).")
        try:
            gen = self.generator(gen_name)
        except GeneratorError as exc:
            timer.lap("validate")
            return error(str(exc))
        except Exception as exc:
            timer.lap("validate")
            return error(failed(f"The {gen_name!r} generator could not be set up", exc))
        prompt_obj: Prompt | None = None
        prompt_exc: Exception | None = None
        try:
            prompt_obj = self.load_answer_prompt(prompt)
        except Exception as exc:  # PromptError, or an unreadable file
            prompt_exc = exc
        if prompt_obj is None and gen_name != EXTRACTIVE:
            timer.lap("validate")
            return error(failed("The answer prompt could not be loaded", prompt_exc))
        prompt_id = prompt_obj.id if prompt_obj is not None else ""
        timer.lap("validate")

        # 2. condense
        standalone = cleaned
        if history:
            standalone = self._condense(cleaned, history, gen if gen_name != EXTRACTIVE else None)
        timer.lap("condense")

        # 3. retrieve (the question, then each part of a compound question on its own)
        try:
            analysis = self.analyse(standalone)
        except Exception:
            timer.lap("retrieve")
            return self._failure("analyse", question, timer, standalone_question=standalone)
        parts = analysis.queries()
        try:
            self._embed_queries([standalone, *(p.query for p in analysis.parts), *parts])
            hits = self._search(standalone, parts, k)
        except Exception:
            timer.lap("retrieve")
            return self._failure(
                "search", question, timer, standalone_question=standalone, prompt_id=prompt_id
            )
        sources = number_sources(hits)
        common: dict[str, Any] = {
            "question": question,
            "hits": tuple(hits),
            "prompt_id": prompt_id,
            "standalone_question": standalone,
        }
        timer.lap("retrieve")

        # 4. decide, per part, before any generator runs (bot.answer.judge)
        try:
            judgement = self.judge(analysis, hits)
        except Exception:
            timer.lap("decide")
            return self._failure("decide", question, timer, **without_question(common))
        common["judgement"] = judgement
        timer.lap("decide")
        if judgement.outcome == "no_answer":
            reasons = "; ".join(d.reason for d in judgement.decision.parts) or "no question"
            return Answer(
                text=NO_ANSWER_MESSAGE,
                status="no_answer",
                generator=gen_name,
                timings_ms=timer.done(),
                dropped=(Dropped("", f"abstained: {reasons}"),),
                **common,
            )
        asked = judgement.asked(standalone)  # a partial answer: the answered parts only

        # 5. generate (with fallback to the extractive generator, recorded)
        dropped: list[Dropped] = []
        used = gen_name
        fallback = ""
        raw_draft = ""
        draft: str | None = None
        cue = judgement.extractive_cue()  # part by part, and the values it must quote
        try:
            own = cue if gen_name == EXTRACTIVE else {}
            draft = gen.generate(asked, sources, prompt_obj, **own)  # type: ignore[arg-type]
        except Exception as exc:
            if gen_name == EXTRACTIVE:
                timer.lap("generate")
                return self._failure("compose", question, timer, **without_question(common))
            fallback = generator_failure(gen_name, exc)
            log.warning(
                "answer fell back to the extractive generator: %s",
                fallback,
                exc_info=not isinstance(exc, GeneratorError),
            )
            draft = None
        if draft is not None and gen_name != EXTRACTIVE:
            raw_draft = draft[:MAX_DRAFT_CHARS]
        timer.lap("generate")

        # 6. check: every draft goes through the same citation check
        result = check_draft(draft, sources, self.encoder) if draft is not None else None
        if result is not None and used != EXTRACTIVE:
            dropped.extend(result.dropped)
            if result.no_answer:
                # The decision found evidence; a model's "no answer" does not overrule it.
                fallback = (
                    f"the {used} model answered that the articles do not say, but the passages "
                    "answer the question"
                )
            elif result.too_little:
                kept = sum(1 for sent in result.sentences if sent.keys)
                fallback = _too_little(used, kept, result.draft_sentences)
            if fallback:
                log.warning("answer fell back to the extractive generator: %s", fallback)
        if result is None or fallback:
            used = EXTRACTIVE
            try:
                result = check_draft(
                    self.extractive.generate(asked, sources, **cue),
                    sources,
                    self.encoder,
                )
            except Exception:
                timer.lap("check")
                return self._failure(
                    "compose", question, timer, dropped=dropped, **without_question(common)
                )
        if used == EXTRACTIVE and gen_name == EXTRACTIVE:
            dropped.extend(result.dropped)
        timer.lap("check")

        notes: tuple[str, ...] = ()
        if fallback:
            dropped.append(
                Dropped("", f"{fallback}; answered with the extractive generator instead")
            )
            notes = (FALLBACK_NOTE,)
        extra: dict[str, Any] = {"fallback": fallback, "draft": raw_draft, "notes": notes}
        if result.no_answer or not any(sent.keys for sent in result.sentences):
            return Answer(
                text=NO_ANSWER_MESSAGE,
                status="no_answer",
                generator=used,
                dropped=tuple(dropped),
                timings_ms=timer.done(),
                **common,
                **extra,
            )
        text, citations = build_citations(result, sources)
        if judgement.outcome == "partial":
            text += "\n\n" + " ".join(not_said(part) for part in judgement.unanswered_parts())
        return Answer(
            text=text,
            status="answered",
            citations=tuple(citations),
            generator=used,
            dropped=tuple(dropped),
            timings_ms=timer.done(),
            attributed=sum(1 for sent in result.sentences if sent.attributed),
            **common,
            **extra,
        )

    def _failure(
        self,
        stage: str,
        question: str,
        timer: StageTimer,
        *,
        dropped: Sequence[Dropped] = (),
        **fields: Any,
    ) -> Answer:
        """A plain sentence and a short reference for the user; the exception being handled, with
        the same reference, for the log only (called from an ``except`` block)."""
        message = failed(FAILURES.get(stage, "Something went wrong"), sys.exc_info()[1])
        return Answer(
            question=question,
            text=message,
            status="error",
            error=message,
            generator=self.settings.answer.generator,
            timings_ms=timer.done(),
            dropped=tuple(dropped),
            **fields,
        )

    # --- pieces ----------------------------------------------------------------------------------
    def _embed_queries(self, texts: Sequence[str]) -> None:
        """Embed the question and its parts in one batch, before anything asks for them one at a
        time: retrieval (one search per text), the evidence stage and the extractive generator
        all read these vectors, from the sentence cache and the embeddings' query cache."""
        texts = list(dict.fromkeys(texts))
        vectors = self.encoder.encode(texts)
        if callable(remember := getattr(self.embeddings, "remember_queries", None)):
            remember(texts, vectors)

    def _search(self, question: str, parts: Sequence[str], k: int) -> list[Hit]:
        return search_with_parts(self.searcher, question, parts, k)

    def _condense(self, question: str, history: Sequence[Turn], llm: Generator | None) -> str:
        from bot.condense import condense_question

        chat_model = self.chat_model(llm) if llm is not None else None
        prompt = None
        if chat_model is not None:
            try:
                from bot.prompts import CONDENSE_PROMPT, load_prompt

                prompt = load_prompt(CONDENSE_PROMPT)
            except Exception as exc:
                log.warning("condense prompt unavailable: %s", exc)
                chat_model = None
        try:
            return condense_question(
                question, history, chat_model, prompt, timeout=self.settings.llm.llm_timeout
            )
        except Exception as exc:  # the rewrite is a convenience: never fail the answer for it
            log.warning("condensing failed: %s", exc)
            return question


def failed(sentence: str, exc: BaseException | None) -> str:
    """What ``Answer.error`` says when ``exc`` stopped the answer: ``sentence`` and a reference;
    the exception (its text may hold paths and internal names) goes only to the log under it."""
    return failed_with_reference(log, sentence, exc)


def _too_little(generator: str, kept: int, total: int) -> str:
    """Why too little of a draft was kept ("[1]" alone has no sentence to check)."""
    if not total:
        return f"the {generator} draft had no sentence to check"
    n = f"{kept} of {total} sentence{'s' if total != 1 else ''}"
    return f"too little of the {generator} draft survived the citation check ({n})"
