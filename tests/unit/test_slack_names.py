"""Display names for mentions (bot/slack/names.py) and the edit comparison (bot/slack/edits.py)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.common.ttl import TTLCache
from bot.slack.edits import question_key
from bot.slack.names import NameResolver, user_name


class Client:
    """Just the two Web API methods the resolver calls, answering like Slack."""

    def __init__(self, users: dict[str, dict[str, Any]], fail: bool = False) -> None:
        self.users = users
        self.fail = fail
        self.calls: list[str] = []

    def users_info(self, *, user: str) -> dict[str, Any]:
        self.calls.append(user)
        if self.fail or user not in self.users:
            response = SlackResponse(
                client=None,
                http_verb="POST",
                api_url="users.info",
                req_args={},
                data={"ok": False, "error": "user_not_found"},
                headers={},
                status_code=200,
            )
            raise SlackApiError("user_not_found", response)
        return {"ok": True, "user": self.users[user]}

    def conversations_info(self, *, channel: str) -> dict[str, Any]:
        raise OSError("connection refused")


def test_user_name_prefers_display_name_then_real_name_then_handle() -> None:
    profile = {"display_name": "Anna K", "real_name": "Anna Karenina"}
    assert user_name({"name": "anna", "profile": profile}) == "Anna K"
    profile = {"display_name": " ", "real_name": "Anna Karenina"}
    assert user_name({"name": "anna", "profile": profile}) == "Anna Karenina"
    assert user_name({"name": "anna", "real_name": "A. K.", "profile": {}}) == "A. K."
    assert user_name({"name": "anna", "profile": "odd"}) == "anna"


def test_names_replace_ids_and_cannot_forge_markup() -> None:
    users = {"U1": {"name": "x", "profile": {"display_name": "<!channel> | &amp; Co"}}}
    resolver = NameResolver(Client(users))  # type: ignore[arg-type]
    question = resolver.question("<@UBOT> what did <@U1> say in <#C9|news>?", "UBOT")
    # conversations.info failed: the channel keeps Slack's label.
    assert question == "what did @<!channel> &amp; Co say in #news?"
    assert resolver.named("<@U1>").count("<") == 1


def test_failures_leave_the_id_and_are_not_cached() -> None:
    client = Client({}, fail=True)
    resolver = NameResolver(client)  # type: ignore[arg-type]
    assert resolver.question("<@U1> <@U1>?", None) == "@U1 @U1?"
    assert client.calls == ["U1", "U1"]


def test_names_are_cached_until_the_ttl() -> None:
    now = [0.0]
    client = Client({"U1": {"name": "anna", "profile": {}}})
    resolver = NameResolver(client, TTLCache(5000, 60, clock=lambda: now[0]))  # type: ignore[arg-type]
    assert resolver.user("U1") == resolver.user("U1") == "anna"
    assert client.calls == ["U1"]
    now[0] = 61
    assert resolver.user("U1") == "anna"
    assert client.calls == ["U1", "U1"]


def test_question_key_ignores_formatting_only() -> None:
    assert question_key("what  did *Johnson* say about _Russia_?") == question_key(
        "what did Johnson say about Russia?"
    )
    assert question_key("`code` ~gone~") == "code gone"
    assert question_key("about Russia?") != question_key("about Syria?")
