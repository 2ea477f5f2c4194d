"""Pure Slack logic: escaping, links, Block Kit limits, thread history, dedupe, limits, feedback."""

from __future__ import annotations

import json
import re

import pytest

from bot.common.dedupe import Dedupe, InMemoryDedupe
from bot.common.feedback import FeedbackStore
from bot.common.ratelimit import RateLimiter
from bot.slack.history import turns_from_thread
from bot.slack.render import (
    ACTION_HELPFUL,
    ACTION_NOT_HELPFUL,
    ACTION_SHARE,
    ANSWER_EVENT_TYPE,
    MAX_BLOCKS,
    SECTION_LIMIT,
    ButtonValue,
    render_answer,
    render_notice,
    render_text,
    split_rendered,
)
from bot.slack.text import escape, link, plain_text, question_from_message, safe_url
from bot.types import NO_ANSWER_MESSAGE, Answer, Citation, Turn

HOSTILE = ["<!channel>", "<!everyone>", "<!here>", "<@U123>", "<http://evil.example|click>"]


def citation(n: int, **kw: str) -> Citation:
    defaults = {
        "article_id": f"a{n}",
        "title": f"Article {n}",
        "source": "BBC",
        "url": f"https://news.example/{n}",
        "published_at": "2017-04-10T09:00:00Z",
    }
    defaults.update(kw)
    return Citation(number=n, **defaults)  # type: ignore[arg-type]


def answer(text: str, *cites: Citation, **kw: str) -> Answer:
    return Answer(
        question=kw.get("question", "What happened?"),
        text=text,
        status=kw.get("status", "answered"),  # type: ignore[arg-type]
        citations=cites,
        prompt_id="p1",
        error=kw.get("error", ""),
    )


def all_strings(messages: list) -> str:
    return json.dumps(messages, ensure_ascii=False)


def assert_no_raw_control(text: str) -> None:
    for raw in HOSTILE:
        assert raw not in text, f"{raw!r} reached Slack unescaped"
    # Only the bot's own links may open a control sequence: <https://...|...>
    for match in re.finditer(r"<([^>]*)>", text):
        assert match.group(1).startswith("https://news.example/"), match.group(0)


# --- escaping and links ---------------------------------------------------------------------


def test_escape_only_the_three_characters() -> None:
    assert escape("a & b < c > d * _ ~ `") == "a &amp; b &lt; c &gt; d * _ ~ `"


def test_safe_url_rejects_other_schemes_and_encodes_delimiters() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("") is None
    assert safe_url("https://") is None
    url = safe_url("https://x.example/a b|<!channel>?q=1&r=2")
    assert url == "https://x.example/a%20b%7C%3C!channel%3E?q=1&amp;r=2"
    assert link("https://x.example/", "t") == "<https://x.example/|t>"
    assert link("ftp://x.example/", "t") == "t"


def test_markers_become_links_after_escaping() -> None:
    cites = [citation(1), citation(2, url="")]
    rendered = render_text("Tom & Jerry <!channel> said so [1]. Also [2] and [9].", cites)
    assert rendered == (
        "Tom &amp; Jerry &lt;!channel&gt; said so <https://news.example/1|[1]>. Also [2] and [9]."
    )


def test_question_from_message_strips_bot_mention_and_markup() -> None:
    text = "<@UBOT> what did <@U42|anna> say about <http://x.example|this> &amp; <#C1|news>?"
    assert question_from_message(text, "UBOT") == "what did @anna say about this & #news?"
    assert plain_text("&lt;!channel&gt; &amp;lt;") == "<!channel> &lt;"


# --- answers --------------------------------------------------------------------------------


def test_answer_blocks_sources_and_buttons() -> None:
    cites = (citation(1, title="G7 meeting", source="ITV News"), citation(2, title="Summit"))
    [message] = render_answer(
        answer("Johnson warned Russia [1]. Putin replied [2].", *cites), answer_id="abc"
    )
    blocks = message["blocks"]
    assert blocks[0]["block_id"].startswith("nd_answer_")
    assert "<https://news.example/1|[1]>" in blocks[0]["text"]["text"]
    sources = next(
        b["text"]["text"] for b in blocks if "*Sources*" in b.get("text", {}).get("text", "")
    )
    first = "*[1]* <https://news.example/1|G7 meeting> (news.example) — ITV News · 2017-04-10"
    assert first in sources
    assert "*[2]* <https://news.example/2|Summit> (news.example) — BBC · 2017-04-10" in sources
    actions = blocks[-1]
    assert actions["type"] == "actions"
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [ACTION_HELPFUL, ACTION_NOT_HELPFUL]
    value = ButtonValue.decode(actions["elements"][0]["value"])
    assert value == ButtonValue("abc", "What happened?", "p1")
    assert message["text"].startswith("Johnson warned Russia")


def test_share_button_and_question_for_private_answers() -> None:
    [message] = render_answer(
        answer("Yes [1].", citation(1), question="Did <!here> it?"), share=True, show_question=True
    )
    assert message["blocks"][0]["text"]["text"] == "*Question:* Did &lt;!here&gt; it?"
    ids = [e["action_id"] for e in message["blocks"][-1]["elements"]]
    assert ids == [ACTION_SHARE, ACTION_HELPFUL, ACTION_NOT_HELPFUL]


def test_no_answer_and_error_rendering() -> None:
    [no] = render_answer(answer(NO_ANSWER_MESSAGE, status="no_answer"))
    assert NO_ANSWER_MESSAGE in no["text"]
    assert not any("*Sources*" in json.dumps(b) for b in no["blocks"])
    [err] = render_answer(answer("", status="error", error="Question too long <!channel>"))
    assert err["text"] == ":warning: Question too long &lt;!channel&gt;"
    assert all(b["type"] != "actions" for b in err["blocks"])


def test_everything_untrusted_is_escaped() -> None:
    hostile = " ".join(HOSTILE)
    cite = Citation(
        number=1,
        article_id="x",
        title=f"Title {hostile}",
        source=f"Source {hostile}",
        url="https://news.example/1?a=<!channel>|click",
        published_at=hostile,
        quote=hostile,
    )
    messages = render_answer(
        answer(f"Model says {hostile} [1].", cite, question=f"Q {hostile}"),
        share=True,
        show_question=True,
        shared_by="<!channel>",  # not a user id: must not become a mention
    )
    texts = [m["text"] for m in messages] + [
        b["text"]["text"] for m in messages for b in m["blocks"] if "text" in b
    ]
    for text in texts:
        assert_no_raw_control(text)
    joined = "\n".join(texts)
    assert "&lt;!channel&gt;" in joined and "&lt;@U123&gt;" in joined
    assert "<https://news.example/1?a=%3C!channel%3E%7Cclick|[1]>" in joined
    assert render_notice("hi <!everyone>")["text"] == ":warning: hi &lt;!everyone&gt;"


def test_long_answer_is_split_within_block_kit_limits() -> None:
    cites = [citation(n) for n in range(1, 6)]
    sentences = [
        f"Sentence {i} says something & more <about> it [{i % 5 + 1}]." for i in range(1500)
    ]
    text = " ".join(sentences) + " " + "x" * 7000  # and one enormous "word"
    messages = render_answer(answer(text, *cites), answer_id="id")
    assert len(messages) > 3
    for message in messages:
        assert 0 < len(message["blocks"]) <= MAX_BLOCKS
        assert len(json.dumps(message["blocks"])) < 12_000
        assert 0 < len(message["text"]) <= 3000
        for block in message["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= SECTION_LIMIT
    # Only the last message carries the buttons; the text survives in order and whole.
    assert [m["blocks"][-1]["type"] == "actions" for m in messages].count(True) == 1
    assert messages[-1]["blocks"][-1]["type"] == "actions"
    answer_text = " ".join(
        plain_text(b["text"]["text"])
        for m in messages
        for b in m["blocks"]
        if b.get("block_id", "").startswith("nd_answer_")
    )
    assert "".join(answer_text.split()) == "".join(text.split())


def test_split_never_cuts_a_link_or_an_escape() -> None:
    pieces = split_rendered("&" * 4000 + " [1] " + "<" * 10, [citation(1)], limit=500)
    assert all(len(p) <= 500 for p in pieces)
    joined = "".join(pieces)
    assert joined.count("&amp;") == 4000 and "<https://news.example/1|[1]>" in joined


def test_button_value_fits_slack_limit() -> None:
    value = ButtonValue("id", "q" * 5000 + '"\\' * 300, "p").encode()
    assert len(value) <= 2000
    assert ButtonValue.decode(value).answer_id == "id"
    assert ButtonValue.decode("not json") == ButtonValue("")


# --- thread history -------------------------------------------------------------------------


def test_turns_from_thread() -> None:
    bot = {"user": "UBOT", "bot_id": "BBOT"}
    answer_blocks = [
        {
            "type": "section",
            "block_id": "nd_answer_0",
            "text": {
                "type": "mrkdwn",
                "text": "Johnson warned Russia <https://x.example/1|[1]> &amp; Syria.",
            },
        }
    ]
    meta = {"event_type": ANSWER_EVENT_TYPE, "event_payload": {}}
    messages = [
        {"ts": "1.000001", "user": "U1", "text": "<@UBOT> what did Johnson say about Russia?"},
        {"ts": "1.000002", **bot, "text": "fallback", "blocks": answer_blocks, "metadata": meta},
        {"ts": "1.000003", "bot_id": "BOTHER", "subtype": "bot_message", "text": "other bot"},
        {"ts": "1.000004", **bot, "text": ":warning: Sorry (ref 1)"},
        {"ts": "1.000005", "user": "U2", "text": "and Iran?"},
        {"ts": "1.000006", "user": "U1", "text": "and China?"},
        {"ts": "1.000007", "user": "U1", "text": "later message"},
    ]
    turns = turns_from_thread(messages, before_ts="1.000006", bot_user_id="UBOT", bot_id="BBOT")
    assert turns == [
        Turn("what did Johnson say about Russia?", "Johnson warned Russia [1] & Syria."),
        Turn("and Iran?", ""),
    ]
    assert (
        turns_from_thread(messages, before_ts="1.000001", bot_user_id="UBOT", bot_id="BBOT") == []
    )


# --- state ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_dedupe_ttl() -> None:
    clock = Clock()
    seen = InMemoryDedupe(ttl=10, clock=clock)
    assert seen.claim("a") and not seen.claim("a")
    clock.now += 9
    assert not seen.claim("a")
    clock.now += 2
    assert seen.claim("a")
    small = InMemoryDedupe(ttl=10, max_keys=2, clock=clock)
    assert small.claim(1) and small.claim(2) and small.claim(3)
    assert 1 not in small and len(small) == 2
    assert isinstance(small, Dedupe)  # the interface a shared (Redis) store implements too


def test_rate_limiter_sliding_window() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    assert limiter.acquire("u") is None and limiter.acquire("u") is None
    clock.now += 20
    wait = limiter.acquire("u")
    assert wait == pytest.approx(40)
    assert limiter.acquire("v") is None
    assert "limit of 2 questions a minute" in limiter.message(wait)
    clock.now += 41
    assert limiter.acquire("u") is None
    assert RateLimiter(0, clock=clock).acquire("u") is None


def test_background_work_yields_to_a_burst_of_requests(tmp_path) -> None:
    import time

    from slack_sdk import WebClient

    from bot.slack.service import SlackService

    service = SlackService(
        answer_fn=lambda q, h: answer("x"),
        client=WebClient(token="xoxb-unused", base_url="http://127.0.0.1:9/"),
        feedback=FeedbackStore(tmp_path / "f.db"),
    )
    try:
        started = time.monotonic()
        service.yield_to_requests()
        assert time.monotonic() - started < 0.01  # nothing going on: no wait

        stop = time.monotonic() + 0.3

        def burst() -> None:
            while time.monotonic() < stop:
                service.note_request()
                time.sleep(0.005)

        import threading

        thread = threading.Thread(target=burst)
        thread.start()
        started = time.monotonic()
        service.yield_to_requests(quiet=0.1, max_wait=2.0)
        waited = time.monotonic() - started
        thread.join()
        assert 0.25 <= waited < 1.0  # held back until the burst was over, not much longer
        started = time.monotonic()
        service.note_request()
        service.yield_to_requests(quiet=0.5, max_wait=0.1)
        assert time.monotonic() - started < 0.3  # never beyond max_wait
    finally:
        service.close()
