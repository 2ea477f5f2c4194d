"""Draft parsing, renumbering and the name/number rule of the support check (bot/citations/)."""

from __future__ import annotations

from bot.citations import (
    CheckedSentence,
    Evidence,
    join_sentences,
    novel_names,
    parse_draft,
    renumber,
)


def parsed(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """``[(sentence without markers, cited keys in order without repeats), ...]``."""
    return [(s.text, s.keys) for s in parse_draft(text)]


# --- parsing --------------------------------------------------------------------------------------


def test_parse_single_grouped_adjacent_and_multi_digit_keys() -> None:
    text = "Russia has a choice [1]. Putin was warned [1, 2]. Assad was named [2][3]. Late [12]."
    assert parsed(text) == [
        ("Russia has a choice.", (1,)),
        ("Putin was warned.", (1, 2)),
        ("Assad was named.", (2, 3)),
        ("Late.", (12,)),
    ]


def test_parse_duplicates_once_in_order_and_mid_sentence_markers() -> None:
    text = "Johnson spoke [2] and Lavrov left [1][2][2, 1]."
    assert parsed(text) == [("Johnson spoke and Lavrov left.", (2, 1))]


def test_parse_marker_after_the_full_stop_belongs_to_that_sentence() -> None:
    text = "First claim. [1] Second claim.[2]\nThird claim. [3]"
    assert parsed(text) == [
        ("First claim.", (1,)),
        ("Second claim.", (2,)),
        ("Third claim.", (3,)),
    ]


def test_parse_ranges_and_source_words() -> None:
    assert parsed("A claim [1-3]. Another [Source 2]. More [sources 1 and 4].") == [
        ("A claim.", (1, 2, 3)),
        ("Another.", (2,)),
        ("More.", (1, 4)),
    ]


def test_parse_malformed_markers_are_removed_and_editorial_brackets_kept() -> None:
    text = 'Bad marker [x] here []. He said "it [the deal] works" [1].'
    assert parsed(text) == [
        ("Bad marker here.", ()),
        ('He said "it [the deal] works".', (1,)),
    ]


def test_parse_uncited_sentence_has_no_keys() -> None:
    assert parsed("Nothing cited here.") == [("Nothing cited here.", ())]
    assert parsed("") == []


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


def test_renumber_a_parsed_draft_and_join_it() -> None:
    sentences = [CheckedSentence(s.text, s.keys) for s in parse_draft("X holds [3]. Y too [3][5].")]
    out, mapping = renumber(sentences)
    text = join_sentences(out)
    assert text == "X holds. [1] Y too. [1, 2]"
    assert mapping == {3: 1, 5: 2}


# --- the support check ----------------------------------------------------------------------------


def test_novel_names_catch_a_swapped_country_and_number() -> None:
    passage = 'The Foreign Secretary said the Russians "have a choice", with 2 options.'
    assert novel_names("Johnson said Brazil has a choice", passage) == ["brazil", "johnson"]
    assert novel_names("The Russian side has 3 options", passage) == ["3"]
    assert novel_names("The Russians have a choice", passage) == []
