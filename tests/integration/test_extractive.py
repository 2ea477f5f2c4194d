"""The extractive generator on the seed article (real embedding model, hand-built hits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from spacy.tokens import Doc

from bot.answer.cache import PassageCache
from bot.answer.nlp import load_nlp
from bot.answer.speakers import quotation_ends
from bot.citations import check_draft, parse_draft
from bot.generators.extractive import (
    ExtractiveGenerator,
    build_extractive_generator,
    candidates_from,
)
from bot.settings import Settings
from bot.types import Source
from retrieval.embeddings import LocalEmbeddings
from retrieval.loaders import load_articles
from retrieval.types import Hit
from tests.support import SEEDS


@pytest.fixture(scope="module")
def generator(embeddings: LocalEmbeddings) -> ExtractiveGenerator:
    return build_extractive_generator(Settings(_env_file=None), embeddings)  # type: ignore[call-arg]


def parse(texts: Sequence[str]) -> list[Doc]:
    return PassageCache().parse(texts, load_nlp())


def test_speakers_resolved_within_the_article(seed_sources: list[Source]) -> None:
    by_start = {c.text: c for c in candidates_from(seed_sources, parse)}

    def speaker(prefix: str) -> tuple[str, ...] | None:
        cand = next(c for t, c in by_start.items() if t.startswith(prefix))
        return cand.speaker.tokens if cand.speaker else None

    # "the Foreign Secretary said" -> the most recently named speaker, Boris Johnson.
    assert speaker("Arriving for talks")[-1] == "johnson"  # type: ignore[index]
    assert speaker("The Foreign Secretary said")[-1] == "johnson"  # type: ignore[index]
    # '"They have a choice ...," he said.' -> Johnson.
    assert speaker('"They have a choice')[-1] == "johnson"  # type: ignore[index]
    # The Downing Street statement is not Johnson's.
    assert speaker("In a statement issued")[-1] == "street"  # type: ignore[index]
    # The statement goes on in quotation marks ('Downing Street said: “Theresa May ...'
    # then '“The Prime Minister and the President agreed ...'): still Downing Street's words,
    # though "the President" (Trump) is their subject.
    assert speaker("“The Prime Minister and the President agreed")[-1] == "street"  # type: ignore[index]


def test_overlapping_chunks_give_each_sentence_once(seed_sources: list[Source]) -> None:
    cands = candidates_from(seed_sources, parse)
    texts = [c.text for c in cands]
    assert len(texts) == len(set(texts))
    assert [c.position for c in cands] == sorted(c.position for c in cands)
    # Every candidate is a whole sentence of the article, at its recorded position.
    body = load_articles(SEEDS).articles[0].body
    for c in cands:
        assert body[c.position : c.position + len(c.text)] == c.text


def test_a_caption_line_is_never_a_candidate(seed_sources: list[Source]) -> None:
    # The seed article's second line, "Video report by ITV News Correspondent Emma Murphy", has
    # no verb and no full stop; quoted before the lead sentence it read as one sentence with it
    # ("... Emma Murphy Senior Russian military officers ..."), as a refit of the weights did.
    texts = [c.text for c in candidates_from(seed_sources, parse)]
    assert not [t for t in texts if t.startswith("Video report")]
    assert any(t.startswith("Senior Russian military officers") for t in texts)
    # A line without a full stop that is a sentence (it has a verb) stays.
    from bot.generators.extractive.candidates import _caption

    doc = parse(["Johnson says Russia has a choice"])[0]
    assert not _caption("Johnson says Russia has a choice", doc)


def test_what_did_johnson_say_about_russia(
    generator: ExtractiveGenerator,
    seed_sources: list[Source],
    embeddings: LocalEmbeddings,
) -> None:
    draft = generator.generate("What did Johnson say about Russia?", seed_sources)
    lowered = draft.lower()
    for phrase in ("a choice", "stick like glue", "assad", "toxifying the reputation of russia"):
        assert phrase in lowered, (phrase, draft)
    sentences = [(s.text, s.keys) for s in parse_draft(draft)]
    assert 2 <= len(sentences) <= 5
    assert all(keys for _, keys in sentences)
    budget = Settings(_env_file=None).answer.answer_max_words  # type: ignore[call-arg]
    assert len(draft.split()) <= budget + 10  # the budget counts words of the sentences themselves
    # Its own citations pass the check untouched.
    result = check_draft(draft, seed_sources, embeddings)
    assert not result.dropped and len(result.sentences) == len(sentences)
    # Reading order: positions in the article increase.
    body = load_articles(SEEDS).articles[0].body
    positions = [body.index(text.rstrip(".")[:60]) for text, _ in sentences]
    assert positions == sorted(positions)


def test_a_quotation_is_quoted_whole(
    generator: ExtractiveGenerator, seed_sources: list[Source]
) -> None:
    """'"They have a choice.' opens a quotation the next sentence closes ('... political
    solution," he said.'): quoted, the two go together, so the answer never shows a quotation
    mark without its partner, nor Johnson's words without the "he said" that makes them his."""
    body = load_articles(SEEDS).articles[0].body
    for question in (
        "What did Johnson say about Russia?",
        "Why did Boris Johnson pull out of talks with Sergey Lavrov?",
        "Who is Rex Tillerson and where was he going after the G7 talks?",
        "According to Johnson, what 'changed the game' in Syria?",
    ):
        chosen = [s.candidate for s in generator.select(question, seed_sources)]
        for i, c in enumerate(chosen):
            starts_inside, ends_inside = quotation_ends(c.text)
            if ends_inside:
                after = chosen[i + 1] if i + 1 < len(chosen) else None
                assert after is not None, (question, c.text)
                assert body[c.position + len(c.text) : after.position].strip() == "", question
            if starts_inside:
                before = chosen[i - 1] if i else None
                assert before is not None, (question, c.text)
                assert body[before.position + len(before.text) : c.position].strip() == ""


def test_attribution_prefers_the_named_speaker(
    generator: ExtractiveGenerator, seed_sources: list[Source]
) -> None:
    draft = generator.generate("What did Downing Street say?", seed_sources)
    assert "Downing Street said" in draft or "Theresa May" in draft
    assert "stick like glue" not in draft


def test_word_budget_is_respected(embeddings: LocalEmbeddings, seed_sources: list[Source]) -> None:
    short = ExtractiveGenerator(embeddings, max_words=40)
    draft = short.generate("What did Johnson say about Russia?", seed_sources)
    # One sentence always fits, however long; no second one beyond the budget.
    assert len(parse_draft(draft)) == 1


def test_duplicate_articles_are_not_repeated(
    generator: ExtractiveGenerator, seed_sources: list[Source]
) -> None:
    # The same story stored twice under another id (a wire copy): each sentence appears once.
    copies = [
        Source(
            s.key + len(seed_sources), replace(s.hit, article_id="copy", chunk_id="c" + str(s.key))
        )
        for s in seed_sources
    ]
    draft = generator.generate("What did Johnson say about Russia?", seed_sources + copies)
    texts = [s.text for s in parse_draft(draft)]
    assert len(texts) == len(set(texts))
    assert len(texts) >= 2


TWO_STORIES = (
    "What did Johnson say about Russia, and what did officials in Beijing say about Pyongyang?"
)


def two_stories(seed_sources: list[Source]) -> list[Source]:
    other = Hit(
        chunk_id="x1",
        article_id="other",
        title="China urges calm over North Korea",
        text=(
            "China said on Tuesday that it would press North Korea to return to talks. "
            "Officials in Beijing said the pressure on Pyongyang would continue."
        ),
        score=0.5,
    )
    return [*seed_sources, Source(len(seed_sources) + 1, other)]


def test_a_question_about_two_stories_draws_on_each(
    generator: ExtractiveGenerator, seed_sources: list[Source]
) -> None:
    draft = generator.generate(TWO_STORIES, two_stories(seed_sources))
    cited = {s.keys for s in parse_draft(draft)}
    assert (len(seed_sources) + 1,) in cited
    assert any(k[0] <= len(seed_sources) for k in cited)
    assert "Pyongyang" in draft and "Russia" in draft


def test_an_answer_about_two_stories_given_part_by_part_has_its_own_budget(
    embeddings: LocalEmbeddings, seed_sources: list[Source]
) -> None:
    sources = two_stories(seed_sources)

    def words(draft: str) -> int:
        return sum(len(s.text.split()) for s in parse_draft(draft))

    tight = ExtractiveGenerator(embeddings, max_words=40).generate(TWO_STORIES, sources)
    roomy = ExtractiveGenerator(embeddings, max_words=40, max_words_apart=120)
    draft = roomy.generate(TWO_STORIES, sources)
    assert "Pyongyang" in draft and "Russia" in draft
    assert words(tight) <= 40 < words(draft) <= 120
    # A question about one story keeps the main budget: one sentence fits in 40 words.
    assert len(parse_draft(roomy.generate("What did Johnson say about Russia?", seed_sources))) == 1
    settings = Settings(_env_file=None, answer={"answer_max_words_apart": 77})  # type: ignore[call-arg]
    assert build_extractive_generator(settings, embeddings).max_words_apart == 77


def test_a_question_about_one_story_stays_with_it(
    generator: ExtractiveGenerator, seed_sources: list[Source]
) -> None:
    # A related article that adds nothing the question asks for is not quoted.
    other = Hit(
        chunk_id="x2",
        article_id="other",
        title="Russia responds to G7",
        text="Russia said the G7 talks in Italy were a waste of time.",
        score=0.5,
    )
    sources = [*seed_sources, Source(len(seed_sources) + 1, other)]
    draft = generator.generate("What did Johnson say about Russia?", sources)
    assert f"[{len(seed_sources) + 1}]" not in draft


def test_no_sources_gives_an_empty_draft(generator: ExtractiveGenerator) -> None:
    assert generator.generate("Anything?", []) == ""


def test_the_weights_are_the_ones_given(
    embeddings: LocalEmbeddings, seed_sources: list[Source]
) -> None:
    # The fitting script passes its trials as weights: they must change what is selected.
    from bot.generators.extractive.weights import default_weights

    question = "What did Johnson say about Russia?"
    one = ExtractiveGenerator(embeddings, weights=replace(default_weights(), max_sentences=1))
    assert len(parse_draft(one.generate(question, seed_sources))) == 1
    # Every sentence within a hair of the best one, up to the budget: more than one fits.
    loose = replace(default_weights(), max_sentences=7, min_relative_score=0.0)
    many = ExtractiveGenerator(embeddings, max_words=400, weights=loose)
    assert len(parse_draft(many.generate(question, seed_sources))) > 1


def test_a_quotation_counts_every_sentence_against_the_sentence_cap(
    embeddings: LocalEmbeddings,
) -> None:
    """A quotation's sentences come together (``Quotations``), and each counts against
    ``max_sentences``: with room for two sentences after the best one, a two-sentence
    quotation fits; with room for one, it does not come at all."""
    from bot.generators.extractive.weights import default_weights

    text = (
        "The council said the new bridge over the Tyne will open in May. "
        '"It is a fine piece of work. We are proud of it," the mayor said of the bridge.'
    )
    hit = Hit(chunk_id="b:0", article_id="b", title="Bridge", text=text, score=1.0)
    sources = [Source(key=1, hit=hit)]
    question = "When will the new bridge over the Tyne open?"
    for cap, expected in ((2, 1), (3, 3)):
        capped = replace(default_weights(), max_sentences=cap, min_relative_score=0.0)
        generator = ExtractiveGenerator(embeddings, max_words=400, weights=capped)
        chosen = [s.candidate.text for s in generator.select(question, sources)]
        assert chosen[0].startswith("The council said"), chosen
        assert len(chosen) == expected, (cap, chosen)
