"""``newsdesk slack``: which mode runs, and plain messages naming the missing variable."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from bot.slack.app import SlackConfigError, create_app
from bot.slack.runner import choose_mode, make_http_server, run_slack
from bot.types import Answer
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support import REPO


@pytest.fixture(autouse=True)
def _no_slack_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(("SLACK_", "NEWSDESK_")):
            monkeypatch.delenv(name)


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def answer_fn(question: str, history: object) -> Answer:
    return Answer(question=question, text="", status="no_answer")


def test_socket_mode_when_the_app_token_is_set() -> None:
    both = settings(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET
    )
    assert choose_mode(both) == "socket"
    assert choose_mode(both, http=True) == "http"
    http_only = settings(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)
    assert choose_mode(http_only) == "http"


@pytest.mark.parametrize(
    ("values", "http", "names"),
    [
        ({}, False, ["SLACK_BOT_TOKEN"]),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, False, ["SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"]),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN},
            True,
            ["SLACK_SIGNING_SECRET"],
        ),
        ({"SLACK_BOT_TOKEN": APP_TOKEN}, False, ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "xoxb-"]),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": BOT_TOKEN}, False, ["xapp-"]),
    ],
)
def test_missing_or_wrong_variables_are_named(
    values: dict[str, str], http: bool, names: list[str]
) -> None:
    built: list[bool] = []

    def factory() -> Any:
        built.append(True)  # would load the model: must not happen before the checks
        return answer_fn

    with pytest.raises(SlackConfigError) as info:
        run_slack(settings(**values), factory, http=http, announce=lambda _: None)
    for name in names:
        assert name in str(info.value)
    assert built == []


def test_a_rejected_token_is_reported(tmp_path: Path) -> None:
    with FakeSlack(bot_token="xoxb-the-real-one") as slack:
        config = settings(SLACK_BOT_TOKEN=BOT_TOKEN, slack_api_url=slack.base_url)
        with pytest.raises(SlackConfigError, match=r"SLACK_BOT_TOKEN.*invalid_auth"):
            create_app(config, answer_fn)


def test_an_unreachable_api_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = settings(SLACK_BOT_TOKEN=BOT_TOKEN, slack_api_url=f"http://127.0.0.1:{port}/api/")
    with pytest.raises(SlackConfigError, match="NEWSDESK_SLACK_API_URL"):
        create_app(config, answer_fn)


def test_http_mode_requires_the_signing_secret(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        config = settings(SLACK_BOT_TOKEN=BOT_TOKEN, slack_api_url=slack.base_url)
        app = create_app(config, answer_fn)
        try:
            with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
                make_http_server(app, "127.0.0.1", 0)
        finally:
            app.close()


def test_manifest_matches_what_the_bot_listens_for() -> None:
    import yaml

    from bot.slack.listeners import ask

    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    settings_ = manifest["settings"]
    assert settings_["socket_mode_enabled"] is True
    assert settings_["interactivity"]["is_enabled"] is True
    # message.channels / message.groups also bring edits (message_changed) in channels.
    assert {"app_mention", "message.im", "message.channels", "message.groups"} <= set(
        settings_["event_subscriptions"]["bot_events"]
    )
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "app_mentions:read",
        "chat:write",
        "im:history",
        "commands",
        "channels:history",
        "reactions:write",
        # users.info / conversations.info for names in questions (bot/slack/names.py)
        "users:read",
        "channels:read",
        "groups:read",
    } <= scopes
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [ask.COMMAND]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
