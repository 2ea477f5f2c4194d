"""Citation parsing, renumbering and the support check (bot/citations.py)."""

from __future__ import annotations

from bot.citations import (
    CheckedSentence,
    Evidence,
    check_draft,
    novel_names,
    parse_citations,
    renumber,
    renumber_text,
    split_sentences,
)
from bot.types import NO_ANSWER_MESSAGE, Source
from retrieval.embeddings import LocalEmbeddings

# --- sentence splitting ---------------------------------------------------------------------------


def test_splitter_keeps_titles_initials_and_short_quotes_together() -> None:
    text = (
        'Mr. Brown met J. K. Rowling in the U.S. on Monday. "They have a choice. That choice is '
        'clear," he said. Prices rose 3.5% in Jan. The end.'
    )
    assert split_sentences(text) == [
        "Mr. Brown met J. K. Rowling in the U.S. on Monday.",
        '"They have a choice. That choice is clear," he said.',
        "Prices rose 3.5% in Jan. The end.",
    ]


def test_splitter_breaks_at_line_ends_and_question_marks() -> None:
    text = "Headline without a stop\nIs it over? Not yet!\n\nNext paragraph."
    assert split_sentences(text) == [
        "Headline without a stop",
        "Is it over?",
        "Not yet!",
        "Next paragraph.",
    ]


# --- parsing --------------------------------------------------------------------------------------


def test_parse_single_grouped_adjacent_and_multi_digit_keys() -> None:
    text = "Russia has a choice [1]. Putin was warned [1, 2]. Assad was named [2][3]. Late [12]."
    assert parse_citations(text) == [
        ("Russia has a choice.", (1,)),
        ("Putin was warned.", (1, 2)),
        ("Assad was named.", (2, 3)),
        ("Late.", (12,)),
    ]


def test_parse_duplicates_once_in_order_and_mid_sentence_markers() -> None:
    text = "Johnson spoke [2] and Lavrov left [1][2][2, 1]."
    assert parse_citations(text) == [("Johnson spoke and Lavrov left.", (2, 1))]


def test_parse_marker_after_the_full_stop_belongs_to_that_sentence() -> None:
    text = "First claim. [1] Second claim.[2]\nThird claim. [3]"
    assert parse_citations(text) == [
        ("First claim.", (1,)),
        ("Second claim.", (2,)),
        ("Third claim.", (3,)),
    ]


def test_parse_ranges_and_source_words() -> None:
    assert parse_citations("A claim [1-3]. Another [Source 2]. More [sources 1 and 4].") == [
        ("A claim.", (1, 2, 3)),
        ("Another.", (2,)),
        ("More.", (1, 4)),
    ]


def test_parse_malformed_markers_are_removed_and_editorial_brackets_kept() -> None:
    text = 'Bad marker [x] here []. He said "it [the deal] works" [1].'
    assert parse_citations(text) == [
        ("Bad marker here.", ()),
        ('He said "it [the deal] works".', (1,)),
    ]


def test_parse_uncited_sentence_has_no_keys() -> None:
    assert parse_citations("Nothing cited here.") == [("Nothing cited here.", ())]
    assert parse_citations("") == []


# --- renumbering ----------------------------------------------------------------------------------


def test_renumber_by_first_use_and_merge_keys_of_one_article() -> None:
    sentences = [
        CheckedSentence("A.", (4,), (Evidence(4, "a", 0, 1, 1.0, 1.0),)),
        CheckedSentence("B.", (2, 4)),
        CheckedSentence("C.", (5,)),
    ]
    out, mapping = renumber(sentences, {4: "art-x", 2: "art-y", 5: "art-x", 1: "art-z"})
    assert mapping == {4: 1, 2: 2, 5: 1}
    assert [s.keys for s in out] == [(1,), (2, 1), (1,)]
    assert out[0].evidence[0].key == 1
    # Key 1 was never cited, so it gets no number at all.
    assert 1 not in mapping


def test_renumber_text() -> None:
    text, mapping = renumber_text("X holds [3]. Y too [3][5].")
    assert text == "X holds. [1] Y too. [1, 2]"
    assert mapping == {3: 1, 5: 2}


# --- the support check ----------------------------------------------------------------------------


def test_novel_names_catch_a_swapped_country_and_number() -> None:
    passage = 'The Foreign Secretary said the Russians "have a choice", with 2 options.'
    assert novel_names("Johnson said Brazil has a choice", passage) == ["brazil", "johnson"]
    assert novel_names("The Russian side has 3 options", passage) == ["3"]
    assert novel_names("The Russians have a choice", passage) == []


def test_check_keeps_supported_and_drops_unknown_keys(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    draft = (
        "Boris Johnson warned that senior Russian military officers could face international "
        "sanctions [1][9]. Johnson said Russia needs a way out and a way forward [1]."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.keys for s in result.sentences] == [(1,), (1,)]
    assert not result.too_little
    reasons = [(d.text, d.reason) for d in result.dropped]
    assert reasons == [("[9]", "cites source [9], which was not among the sources")]
    ev = result.sentences[0].evidence[0]
    assert "international sanctions" in ev.quote
    assert seed_sources[0].hit.text[ev.start : ev.end] == ev.quote


def test_check_drops_uncited_and_invented_sentences(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    draft = (
        "Johnson said the Russians have a choice to stick like glue to the Assad regime [1]. "
        "Johnson said Brazil has a choice too. "
        "Johnson said Brazil has a choice to stick like glue to the Assad regime [1]. "
        "The meeting was held in Paris [1]."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.text for s in result.sentences] == [
        "Johnson said the Russians have a choice to stick like glue to the Assad regime."
    ]
    dropped = {d.text: d.reason for d in result.dropped}
    assert dropped["Johnson said Brazil has a choice too."] == "no citation"
    assert (
        "'brazil'"
        in dropped["Johnson said Brazil has a choice to stick like glue to the Assad regime."]
    )
    assert "'paris'" in dropped["The meeting was held in Paris."]
    # One of four sentences survived: too little, the caller falls back.
    assert result.too_little


def test_check_rejects_a_sentence_cited_to_the_wrong_passage(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    # The Downing Street statement is in the last passages, not in the first one.
    last = seed_sources[-2].key
    draft = (
        "Theresa May and Donald Trump agreed that a window of opportunity now exists to persuade "
        f"Russia that its alliance with Assad is no longer in its strategic interest [1][{last}]."
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert [s.keys for s in result.sentences] == [(last,)]
    assert any(d.text == "[1]" and "citation removed" in d.reason for d in result.dropped)


def test_check_keeps_the_no_answer_message(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    result = check_draft(NO_ANSWER_MESSAGE, seed_sources, embeddings)
    assert result.no_answer
    assert not result.too_little
    assert result.text == NO_ANSWER_MESSAGE


def test_check_drops_the_drafts_own_source_list(
    seed_sources: list[Source], embeddings: LocalEmbeddings
) -> None:
    draft = (
        "Mr Johnson told reporters that further sanctions on Syrian and Russian military figures "
        "would be discussed [2].\n\nSources:\n[2] G7 meeting: Russia and Syria could face sanctions"
    )
    result = check_draft(draft, seed_sources, embeddings)
    assert len(result.sentences) == 1
    assert [d.reason for d in result.dropped] == [
        "the draft's own source list (the bot lists sources)"
    ] * 2
