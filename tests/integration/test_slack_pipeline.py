"""The Slack bot over the real pipeline: a Chroma store on disk, the real embedding model, the
extractive generator, driven through the HTTP endpoint with signed requests.

The injection article puts Slack control sequences in its title, source, URL and body; the test
proves that none of them reaches the (fake) Slack unescaped, on every surface the answer takes.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.slack.app import NewsdeskApp, create_app
from bot.slack.render import ACTION_SHARE
from bot.slack.runner import make_http_server
from tests.fakes.slack_api import (
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    FakeSlack,
    ServerThread,
    SlackSender,
    block_actions_payload,
    find_button,
)
from tests.support import SEED_FILE

SEED = SEED_FILE
SEED_TITLE = "G7 meeting: Russia and Syria could face 'further sanctions', says Boris Johnson"
CHANNEL = "C0000001"

HOSTILE = ["<!channel>", "<!everyone>", "<@U123>", "<http://evil.example|click>"]
INJECTION = {
    "id": "injection-1",
    "title": "Riverside council approves footbridge <!channel>",
    "source": "Evil Gazette <@U123>",
    "url": "https://evil.example/story?x=1|<!everyone>",
    "published_at": "2024-03-01",
    "body": (
        "<!channel> The Riverside council approved a budget of four million pounds for the new "
        "footbridge over the river, said <@U123> on Tuesday.\n\n"
        "The footbridge will open next spring, the council said <!everyone>. "
        "Read the full footbridge plan here <http://evil.example|click>.\n\n"
        "Councillors voted eleven to two in favour of the footbridge budget."
    ),
}


def settings_for(slack: FakeSlack, root: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        store_path=root / "store",
        feedback_path=root / "feedback.db",
        generator="extractive",
        slack_rate_limit_per_minute=0,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("slack-corpus")
    articles = root / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / SEED.name)
    (articles / "injection.json").write_text(json.dumps(INJECTION), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def answerer(corpus: Path, embeddings: Any) -> Any:
    """The real core over a real store, with the session's embedding model."""
    from bot.wiring import build_answerer
    from retrieval.knowledge_base import KnowledgeBase

    with FakeSlack() as slack:  # only to build settings; the store does not talk to Slack
        settings = settings_for(slack, corpus)
    kb = KnowledgeBase(settings.retrieval, embeddings)
    report = kb.ingest(corpus / "articles")
    assert not report.problems, report.problems
    return build_answerer(settings, kb)


@pytest.fixture
def bot(corpus: Path, answerer: Any) -> Iterator[tuple[NewsdeskApp, FakeSlack, SlackSender]]:
    with FakeSlack() as slack:
        settings = settings_for(slack, corpus)
        app = create_app(settings, lambda question, history: answerer.answer(question, history))
        server = make_http_server(app, "127.0.0.1", 0, asyncore_loop_timeout=0.05)
        with ServerThread(server) as running:
            yield app, slack, SlackSender(running.url + "/slack/events")
        app.close()


def mention(slack: FakeSlack, send: SlackSender, question: str) -> str:
    ts = slack.next_ts()
    event = {
        "type": "app_mention",
        "user": "UHUMAN01",
        "text": f"<@{BOT_USER_ID}> {question}",
        "ts": ts,
        "channel": CHANNEL,
    }
    slack.add_message(CHANNEL, event["text"], ts=ts)
    assert send.event(event).status == 200
    return ts


def test_mention_gets_a_cited_answer_from_the_real_pipeline(bot) -> None:
    _, slack, send = bot
    ts = mention(slack, send, "What did Boris Johnson say about Russia?")
    [post] = slack.wait_for_calls("chat.postMessage", timeout=60)
    assert post.body["thread_ts"] == ts
    text = post.all_text()
    assert "Russia" in text
    # A [n] marker in the answer, and the seed article listed in the sources block.
    assert re.search(r"\[\d\]", post.blocks[0]["text"]["text"])
    assert "*Sources*" in text and SEED_TITLE in text
    slack.wait_for_calls("reactions.remove")

    # A follow-up in the thread is answered with the thread as history.
    follow = slack.next_ts()
    slack.add_message(CHANNEL, "and what about Syria?", ts=follow, thread_ts=ts)
    event = {
        "type": "message",
        "channel": CHANNEL,
        "channel_type": "channel",
        "user": "UHUMAN01",
        "text": "and what about Syria?",
        "ts": follow,
        "thread_ts": ts,
    }
    assert send.event(event).status == 200
    posts = slack.wait_for_calls("chat.postMessage", 2, timeout=60)
    assert posts[1].body["thread_ts"] == ts
    assert "Syria" in posts[1].all_text()


def assert_escaped(texts: list[str]) -> None:
    joined = "\n".join(texts)
    for raw in HOSTILE:
        assert raw not in joined, f"{raw!r} reached Slack unescaped"
    # Every control sequence left is one of the bot's own: a link to an article or a user.
    for match in re.finditer(r"<([^<>]*)>", joined):
        inner = match.group(1)
        assert inner.startswith("https://") or re.fullmatch(r"@U[A-Z0-9]+", inner), match.group(0)
        assert "|" not in inner.split("|", 1)[0]


def test_injection_article_never_reaches_slack_unescaped(bot) -> None:
    _, slack, send = bot
    question = "What did the Riverside council approve for the footbridge? <!here>"
    mention(slack, send, question)
    public = slack.wait_for_calls("chat.postMessage", timeout=60)

    # The same answer privately through /ask, then shared in the channel.
    send.command(question, response_url=slack.response_url("ask"))
    [private] = slack.wait_for_calls("response_url", timeout=60)
    share = find_button(private.blocks, ACTION_SHARE)
    send.action(block_actions_payload(action=share, response_url=slack.response_url("share")))
    slack.wait_for_calls("chat.postMessage", 2, timeout=60)
    slack.wait_for_calls("response_url", 2)

    texts: list[str] = []
    for call in slack.calls:
        if call.method in ("chat.postMessage", "chat.postEphemeral", "response_url"):
            texts += call.texts()
    assert_escaped(texts)
    joined = "\n".join(texts)
    # The article did reach Slack, escaped: the test is not passing on an empty answer.
    assert "footbridge" in joined
    assert (
        "&lt;!channel&gt;" in joined or "&lt;@U123&gt;" in joined or "&lt;!everyone&gt;" in joined
    )
    assert "Riverside council approves footbridge &lt;!channel&gt;" in joined
    assert "Evil Gazette &lt;@U123&gt;" in joined
    # Its URL is linked with the delimiters percent-encoded, so it cannot fork the link.
    assert "https://evil.example/story?x=1%7C%3C!everyone%3E|" in joined
    assert public[0].body["channel"] == CHANNEL
