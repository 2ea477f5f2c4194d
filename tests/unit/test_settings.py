"""Settings: defaults, NEWSDESK_ variables, .env, Slack's own names, and clear errors.

The autouse fixture in conftest removes the developer's NEWSDESK_* / SLACK_* variables and runs
each test in an empty working directory, so ``.env`` here is the one the test writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bot.settings import Settings, SettingsError, load_settings
from bot.terminal.cli import app
from retrieval.settings import DEFAULT_EMBEDDING_MODEL, RetrievalSettings


def test_defaults() -> None:
    settings = load_settings()
    assert settings.retrieval.store_path == Path("data/store")
    assert settings.retrieval.collection == "newsdesk"
    assert settings.retrieval.chroma_host is None and settings.retrieval.chroma_port == 8000
    assert settings.retrieval.embedding_model == DEFAULT_EMBEDDING_MODEL == "all-MiniLM-L6-v2"
    assert (
        settings.retrieval.chunk_size,
        settings.retrieval.chunk_overlap,
        settings.retrieval.k,
    ) == (1000, 200, 6)
    assert settings.retrieval.prune is True
    assert settings.slack.slack_bot_token is None
    # The retrieval layer gets its own section, whose defaults are its own.
    assert isinstance(settings.retrieval, RetrievalSettings)
    assert settings.retrieval == RetrievalSettings()


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSDESK_STORE_PATH", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("NEWSDESK_COLLECTION", "archive")
    monkeypatch.setenv("NEWSDESK_CHROMA_HOST", "chroma.internal")
    monkeypatch.setenv("NEWSDESK_CHROMA_PORT", "9000")
    monkeypatch.setenv("NEWSDESK_CHUNK_SIZE", "600")
    monkeypatch.setenv("NEWSDESK_CHUNK_OVERLAP", "120")
    monkeypatch.setenv("NEWSDESK_K", "3")
    monkeypatch.setenv("NEWSDESK_PRUNE", "false")
    monkeypatch.setenv("NEWSDESK_INGEST_BATCH", "64")
    config = load_settings().retrieval
    assert config == RetrievalSettings(  # type: ignore[call-arg]
        store_path=tmp_path / "elsewhere",
        collection="archive",
        chroma_host="chroma.internal",
        chroma_port=9000,
        chunk_size=600,
        chunk_overlap=120,
        k=3,
        prune=False,
        ingest_batch=64,
    )


def test_variable_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("newsdesk_k", "4")
    assert load_settings().retrieval.k == 4


def test_dotenv_in_the_working_directory_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "# comments and blank lines are fine\n\n"
        "NEWSDESK_COLLECTION=from_dotenv\n"
        "NEWSDESK_K=9\n"
        "SLACK_BOT_TOKEN=xoxb-from-dotenv\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.retrieval.collection == "from_dotenv" and settings.retrieval.k == 9
    assert settings.slack.slack_bot_token is not None
    assert settings.slack.slack_bot_token.get_secret_value() == "xoxb-from-dotenv"
    # The environment wins over .env.
    monkeypatch.setenv("NEWSDESK_K", "2")
    assert load_settings().retrieval.k == 2


def test_slack_standard_names_and_prefixed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("NEWSDESK_SLACK_SIGNING_SECRET", "s3cret")
    settings = load_settings()
    assert settings.slack.slack_bot_token is not None and settings.slack.slack_app_token is not None
    assert settings.slack.slack_signing_secret is not None
    assert settings.slack.slack_bot_token.get_secret_value() == "xoxb-1"
    assert settings.slack.slack_app_token.get_secret_value() == "xapp-1"
    assert settings.slack.slack_signing_secret.get_secret_value() == "s3cret"
    # Secrets never show in a repr or a log line.
    assert "xoxb-1" not in repr(settings) and "s3cret" not in str(settings)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"NEWSDESK_CHUNK_SIZE": "abc"}, ["NEWSDESK_CHUNK_SIZE"]),
        ({"NEWSDESK_K": "0"}, ["NEWSDESK_K"]),
        ({"NEWSDESK_CHROMA_PORT": "70000"}, ["NEWSDESK_CHROMA_PORT"]),
        ({"NEWSDESK_PRUNE": "maybe"}, ["NEWSDESK_PRUNE"]),
        ({"NEWSDESK_INGEST_BATCH": "0"}, ["NEWSDESK_INGEST_BATCH"]),
        (
            {"NEWSDESK_CHUNK_SIZE": "300", "NEWSDESK_CHUNK_OVERLAP": "300"},
            ["NEWSDESK_CHUNK_OVERLAP", "NEWSDESK_CHUNK_SIZE"],
        ),
        ({"NEWSDESK_CHUNK_OVERLAP": "1500"}, ["NEWSDESK_CHUNK_OVERLAP"]),
        ({"NEWSDESK_K": "x", "NEWSDESK_CHUNK_SIZE": "5"}, ["NEWSDESK_K", "NEWSDESK_CHUNK_SIZE"]),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], names: list[str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    for name in names:
        assert name in str(info.value)


def test_invalid_value_in_dotenv_names_the_variable() -> None:
    Path(".env").write_text("NEWSDESK_CHUNK_SIZE=big\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="NEWSDESK_CHUNK_SIZE"):
        load_settings()


def test_unknown_newsdesk_variable_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_FOO", "1")
    monkeypatch.setenv("NEWSDESK_CHUNKSIZE", "500")  # a typo must not be silently ignored
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "NEWSDESK_FOO" in str(info.value) and "NEWSDESK_CHUNKSIZE" in str(info.value)


def test_unknown_variable_in_dotenv_is_named_as_written() -> None:
    Path(".env").write_text("NEWSDESK_FOO=1\n", encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert "NEWSDESK_FOO" in message and "NEWSDESK_NEWSDESK_FOO" not in message


def test_settings_can_ignore_dotenv() -> None:
    Path(".env").write_text("NEWSDESK_K=9\n", encoding="utf-8")
    assert Settings(_env_file=None).retrieval.k == 6  # type: ignore[call-arg]


def test_the_cli_exits_2_with_the_message_on_a_bad_setting(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["search", "x"],
        env={"NEWSDESK_CHUNK_SIZE": "abc", "NEWSDESK_STORE_PATH": str(tmp_path / "store")},
    )
    assert result.exit_code == 2
    assert "NEWSDESK_CHUNK_SIZE" in result.stderr
    # It stopped before touching the store.
    assert not (tmp_path / "store").exists()

    result = runner.invoke(app, ["ingest", str(tmp_path)], env={"NEWSDESK_BOGUS": "1"})
    assert result.exit_code == 2
    assert "NEWSDESK_BOGUS" in result.stderr


def test_every_variable_belongs_to_one_section_and_is_documented() -> None:
    from bot.settings import SECTIONS, VARIABLES
    from tests.support import REPO

    fields = [name for model in SECTIONS.values() for name in model.model_fields]
    assert len(fields) == len(set(fields)), "a field name is used in two sections"
    documented = (REPO / ".env.example").read_text(encoding="utf-8")
    for field in fields:
        assert any(name in documented for name, f in VARIABLES.items() if f == field), field


def test_flat_keywords_sections_and_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_CHUNK_SIZE", "600")
    monkeypatch.setenv("NEWSDESK_GENERATOR", "llm")
    settings = load_settings(k=3, rrf_k=10, answer={"answer_max_words": 50})
    # Keywords win over the environment; the environment fills the rest of a section.
    assert (settings.retrieval.k, settings.retrieval.rrf_k) == (3, 10)
    assert settings.retrieval.chunk_size == 600
    assert (settings.answer.generator, settings.answer.answer_max_words) == ("llm", 50)
    with pytest.raises(SettingsError, match="chunksize"):
        load_settings(chunksize=5)


def test_settings_are_frozen() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.retrieval.k = 3  # type: ignore[misc]


def test_unknown_generator_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.wiring import check_settings

    monkeypatch.setenv("NEWSDESK_GENERATOR", "gpt9")
    with pytest.raises(SettingsError, match=r"NEWSDESK_GENERATOR.*gpt9"):
        check_settings(load_settings())
    result = CliRunner().invoke(app, ["ask", "x"], env={"NEWSDESK_GENERATOR": "gpt9"})
    assert result.exit_code == 2 and "NEWSDESK_GENERATOR" in result.stderr


def test_provider_keys_come_from_settings_not_the_environment_at_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-anthropic")
    llm = load_settings().llm
    assert llm.provider_key("openai") == "sk-openai"
    assert llm.provider_key("anthropic") == "sk-anthropic"
    assert llm.provider_key("ollama") is None
    monkeypatch.setenv("NEWSDESK_LLM_API_KEY", "sk-ours")
    assert load_settings().llm.provider_key("anthropic") == "sk-ours"
    # The providers' names are theirs alone: NEWSDESK_OPENAI_API_KEY is a typo, not a name.
    monkeypatch.setenv("NEWSDESK_OPENAI_API_KEY", "x")
    with pytest.raises(SettingsError, match="NEWSDESK_OPENAI_API_KEY"):
        load_settings()
