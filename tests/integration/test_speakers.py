"""Who says what (bot/answer/speakers.py) with the real spaCy pipeline, on
sentences written here: each form of attribution gives its speaker, and a wrong one fails."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from bot.answer.cache import PassageCache
from bot.answer.nlp import load_nlp
from bot.answer.speakers import (
    Mention,
    question_people,
    speaker_mention,
    speech_text,
)
from bot.generators.extractive import Person, candidates_from
from bot.types import Source
from retrieval.types import Hit


def mention(nlp: Language, sentence: str) -> Mention | None:
    return speaker_mention(nlp(sentence))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # said X (inverted after a quotation)
        ('"We will not back down," said Gordon Brown.', Mention("name", "Gordon Brown")),
        # X said, with an auxiliary and the reported clause first
        (
            "Senior officers could face sanctions, Boris Johnson has warned.",
            Mention("name", "Boris Johnson"),
        ),
        ("Tony Blair said the talks had failed.", Mention("name", "Tony Blair")),
        # according to X
        ("According to Gordon Brown, the economy is growing.", Mention("name", "Gordon Brown")),
        # X told
        ("Michael Howard told the BBC the plan was dead.", Mention("name", "Michael Howard")),
        # the passive with an agent names the speaker
        (
            "The plan was described by Michael Howard as a disgrace.",
            Mention("name", "Michael Howard"),
        ),
        # a participle shares its sentence's subject
        (
            "Jose Mourinho praised his players, adding that the title was not won yet.",
            Mention("name", "Jose Mourinho"),
        ),
        # a pronoun and a role stand for someone named before
        ("He told reporters the deal was off.", Mention("pronoun", "he")),
        ('"It is a disgrace," the Foreign Secretary said.', Mention("role", "Foreign Secretary")),
        # an organisation speaks too, also through a spokesman
        ("Microsoft said the update would ship in May.", Mention("name", "Microsoft")),
        (
            "An Electoral Commission spokeswoman said turnout had risen.",
            Mention("name", "Electoral Commission"),
        ),
        # somebody unnamed: reported, but nobody the article named
        ("Analysts said the shares were overvalued.", Mention("other", "Analysts")),
    ],
)
def test_each_form_of_attribution_names_its_speaker(
    nlp: Language, sentence: str, expected: Mention
) -> None:
    assert mention(nlp, sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        # a passive without agent: nobody speaks
        "The singer is said to have been impressed by the offer.",
        # a reporting verb inside the quotation is the quoted person's, not the sentence's
        '"I told Brown to go and he went."',
        # no reporting verb at all
        "Gordon Brown visited the factory on Monday.",
    ],
)
def test_no_speaker_where_nobody_is_reported(nlp: Language, sentence: str) -> None:
    assert mention(nlp, sentence) is None


def test_the_object_of_telling_is_not_the_speaker(nlp: Language) -> None:
    # "told Brown": Blair speaks.
    assert mention(nlp, "Tony Blair told Gordon Brown the plan was dead.") == Mention(
        "name", "Tony Blair"
    )


def test_speech_text_is_what_was_said(nlp: Language) -> None:
    said = speech_text(nlp("Senior officers could face sanctions, Boris Johnson has warned."))
    assert "sanctions" in said and "Johnson" not in said
    said = speech_text(nlp("Boris Johnson warned that officers could face sanctions."))
    assert "sanctions" in said and "Johnson" not in said
    quoted = speech_text(nlp('Mr Mallon branded the campaign "two-bit Tories" on Monday.'))
    assert "two-bit" in quoted and "Monday" not in quoted


@pytest.mark.parametrize(
    ("question", "people"),
    [
        ("What did Johnson say about Russia?", [("johnson",)]),
        ("What did Microsoft's Mike Nash say about charging?", [("mike", "nash")]),
        ("What did Middlesbrough mayor Ray Mallon call the No campaign?", [("ray", "mallon")]),
        (
            "What did Theresa May and Donald Trump say about the call?",
            [("theresa", "may"), ("donald", "trump")],
        ),
        ("According to Johnson, what changed the game in Syria?", [("johnson",)]),
        ("How did Arsene Wenger react to the defeat?", [("arsene", "wenger")]),
        ("Which nerve agent was used?", []),
    ],
)
def test_question_people(nlp: Language, question: str, people: list[tuple[str, ...]]) -> None:
    assert question_people(nlp(question)) == [Person(p) for p in people]


# --- within an article: pronouns, roles and quotations resolved --------------------------------

ARTICLE = (
    "Brown attacks Tory tax plans\n"
    "Chancellor Gordon Brown has attacked the Conservatives' tax plans. "
    "He said the sums did not add up. "
    "Michael Howard rejected the claim. "
    "The Chancellor said the cuts would hurt schools. "
    '"We will not let that happen. '
    'The schools come first," said Tony Blair. '
    "Mr Howard told reporters the plans were costed. "
    "The singer is said to have been impressed."
)


def candidates_of(text: str) -> dict[str, Person | None]:
    title, _, body = text.partition("\n")
    hit = Hit(chunk_id="c0", article_id="a1", title=title, text=body, score=1.0, end=len(body))
    cache = PassageCache()

    def parse(texts: Sequence[str]) -> list[Doc]:
        return cache.parse(texts, load_nlp())

    return {c.text: c.speaker for c in candidates_from([Source(1, hit)], parse)}


def surname(speakers: dict[str, Person | None], prefix: str) -> str | None:
    speaker = next(s for t, s in speakers.items() if t.startswith(prefix))
    return speaker.surname if speaker else None


def test_speakers_are_resolved_within_the_article() -> None:
    speakers = candidates_of(ARTICLE)
    # a pronoun after a named speaker: that speaker
    assert surname(speakers, "He said the sums") == "brown"
    # a role learned from "Chancellor Gordon Brown", not the speaker just before (Howard)
    assert surname(speakers, "The Chancellor said") == "brown"
    # a quotation whose speaker is named in the next sentence, where it closes
    assert surname(speakers, '"We will not let') == "blair"
    assert surname(speakers, "The schools come first") == "blair"
    assert surname(speakers, "Mr Howard told") == "howard"
    # nobody speaks in a passive without agent
    assert surname(speakers, "The singer is said") is None
