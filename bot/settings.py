"""The one typed settings object, read from ``NEWSDESK_*`` variables and ``.env``.

Built once at start-up (``load_settings``) and passed down; nothing else reads the environment.
The settings are nested by concern, each default stated once in its own section:

* ``retrieval``: ``retrieval.settings.RetrievalSettings`` (the retrieval layer gets this model
  itself, not a copy);
* ``answer``: the answering core; ``llm``: chat and local models; ``slack``: the Slack bot.

Variables stay flat (``NEWSDESK_CHUNK_SIZE``, not ``NEWSDESK_RETRIEVAL__CHUNK_SIZE``): every
field name is unique across sections, and ``_FlatEnvironment`` routes each variable to its
section. Slack's and the LLM providers' standard names (``SLACK_BOT_TOKEN``, ``OPENAI_API_KEY``)
are accepted for their secrets. Flat keyword arguments work the same way:
``Settings(chunk_size=500, generator="llm")``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from retrieval.settings import RetrievalSettings

ENV_PREFIX = "NEWSDESK_"


class SettingsError(ValueError):
    """Invalid configuration, with a message that names the variable to fix."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AnswerSettings(_Section):
    # A name registered in bot.generators: extractive, llm, local, or a plug-in's. Checked
    # against the registry by ``bot.wiring.check_settings`` (settings import nothing of bot).
    generator: str = Field("extractive", min_length=1)
    prompt: str = Field("answer", description="Name of the answer prompt file in prompts/")
    max_question_chars: int = Field(1000, ge=10, le=100_000)
    answer_max_words: int = Field(180, ge=20, le=2000)
    # The budget of an answer given part by part from different articles (a question about
    # several stories): both chosen on our training questions by training/word_budget.py.
    answer_max_words_apart: int = Field(240, ge=20, le=4000)
    # The probability (that the passages answer a question part) below which the bot says the
    # articles don't answer it; unset = the threshold fitted with the decision (`make fit`).
    # Higher: fewer wrong answers, more "don't know"s.
    decision_threshold: float | None = Field(None, ge=0.0, le=1.0)
    # Parse and embed only the retrieved sentences that name something the question names (an
    # entity, number, date; its content words when it names nothing) and their neighbours
    # (bot.answer.anchors): decide p50 -40 %. Off: the decision refitted with it loses a little
    # in cross-validation and answers two unanswerable seed questions (docs/performance.md).
    # The fitted decision (training/fit_decision.py reads this setting) must match it: refit.
    evidence_anchored: bool = False
    # Where spaCy parses of passage sentences are kept for every process of this machine
    # (bot.answer.parse_store; `newsdesk prepare` fills it for a whole store); unset = this
    # machine's cache folder ($XDG_CACHE_HOME or ~/.cache, then newsdesk/parses).
    parse_store: Path | None = None
    # Off: each process parses what it reads afresh, as before the parse store.
    parse_store_enabled: bool = True


class LLMSettings(_Section):
    llm_model: str = Field("openai:gpt-4o-mini", description="provider:model for init_chat_model")
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    # The providers' own variables, used when NEWSDESK_LLM_API_KEY is unset.
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    llm_timeout: float = Field(30.0, gt=0, le=600)
    llm_temperature: float = Field(0.0, ge=0, le=2)
    # Longest reply requested from the model, in tokens: a reply abandoned at the timeout must not
    # keep a server generating (an answer of about 120 words is ~200 tokens).
    llm_max_tokens: int = Field(400, ge=16, le=16_384)
    local_model_path: Path | None = None

    def provider_key(self, provider: str | None) -> str | None:
        """The API key for ``provider``: ours first, then the provider's standard variable."""
        for secret in (
            self.llm_api_key,
            {"openai": self.openai_api_key, "anthropic": self.anthropic_api_key}.get(
                provider or ""
            ),
        ):
            if secret is not None and secret.get_secret_value():
                return secret.get_secret_value()
        return None


class SlackSettings(_Section):
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_host: str = "127.0.0.1"
    slack_port: int = Field(3000, ge=1, le=65535)
    slack_allowed_channels: str = Field("", description="Comma-separated channel ids; empty = all")
    slack_rate_limit_per_minute: int = Field(10, ge=0, le=10_000)
    # Helpful / not-helpful clicks: a SQLite file at ``feedback_path`` unless ``database_url``
    # names another database (any SQLAlchemy URL). A legacy ``.jsonl`` file is imported once.
    feedback_path: Path = Path("data/feedback.db")
    database_url: SecretStr | None = None
    # Set: replicas share what they remember (events handled, rate limits, answers for the
    # Share button and for edits) in this Redis; unset: each process remembers on its own.
    redis_url: SecretStr | None = None
    # With Redis: a replica silent this long loses its unanswered questions to the others, who
    # answer them unless they were received more than the maximum age ago (bot/common/handoff.py).
    handoff_reclaim_seconds: float = Field(30.0, gt=0, le=3600)
    handoff_max_age_seconds: float = Field(600.0, gt=0, le=7 * 24 * 3600)
    # On SIGTERM or Ctrl+C, ``newsdesk slack`` stops taking questions and waits this long for
    # the answers it is writing before it exits (0: exit at once). Keep it under the time your
    # process manager allows before it kills (Docker and Kubernetes: 10 s and 30 s by default).
    shutdown_grace_seconds: float = Field(8.0, ge=0, le=3600)


class ServeSettings(_Section):
    """``newsdesk serve`` (the HTTP JSON API) and ``newsdesk ask --server``."""

    serve_host: str = "127.0.0.1"
    serve_port: int = Field(8400, ge=1, le=65535)
    # Set: /ask and /search need "Authorization: Bearer <token>" (the client sends it);
    # unset: anyone who can reach the port may ask, so keep it on 127.0.0.1 or a private network.
    serve_token: SecretStr | None = None
    # Requests answered at once; more wait in line. Answers share the cores, so more threads
    # than cores buys no speed.
    serve_threads: int = Field(4, ge=1, le=64)
    # On SIGTERM or Ctrl+C, ``newsdesk serve`` refuses new requests (503) and waits this long
    # for the answers it has begun, sending each, before it exits (0: exit at once). Keep it
    # under your process manager's kill timeout (Docker 10 s, Kubernetes 30 s by default).
    serve_shutdown_grace_seconds: float = Field(8.0, ge=0, le=3600)


SECTIONS: dict[str, type[BaseModel]] = {
    "retrieval": RetrievalSettings,
    "answer": AnswerSettings,
    "llm": LLMSettings,
    "slack": SlackSettings,
    "serve": ServeSettings,
}

# Fields read from other tools' standard variable names as well as (or instead of) ours.
_STANDARD_NAMES: dict[str, tuple[str, ...]] = {
    "slack_bot_token": ("SLACK_BOT_TOKEN",),
    "slack_app_token": ("SLACK_APP_TOKEN",),
    "slack_signing_secret": ("SLACK_SIGNING_SECRET",),
    "openai_api_key": ("OPENAI_API_KEY",),
    "anthropic_api_key": ("ANTHROPIC_API_KEY",),
}
# Provider keys are the providers' own variables only: NEWSDESK_OPENAI_API_KEY is not a name.
_NOT_PREFIXED = {"openai_api_key", "anthropic_api_key"}


def _field_sections() -> dict[str, str]:
    owner: dict[str, str] = {}
    for section, model in SECTIONS.items():
        for name in model.model_fields:
            if name in owner:  # pragma: no cover - guarded by a test
                raise RuntimeError(f"setting {name!r} is defined in {owner[name]} and {section}")
            owner[name] = section
    return owner


FIELD_SECTION = _field_sections()


def variable_names(field: str) -> tuple[str, ...]:
    """The variables that set ``field``, in order of precedence."""
    own = () if field in _NOT_PREFIXED else (ENV_PREFIX + field.upper(),)
    return _STANDARD_NAMES.get(field, ()) + own


# Upper-cased variable name -> field, for every variable the settings read.
VARIABLES = {name: field for field in FIELD_SECTION for name in variable_names(field)}


def _route(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"chunk_size": 500, "answer": {...}}`` -> ``{"retrieval": {"chunk_size": 500}, ...}``."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        if key in SECTIONS:
            if isinstance(value, BaseModel):
                value = dict(value)
            section = nested.setdefault(key, {})
            if isinstance(value, Mapping) and isinstance(section, dict):
                nested[key] = {**section, **value}
            else:
                nested[key] = value
        elif key in FIELD_SECTION or str(key).upper() in VARIABLES:
            # A field name, or a variable name (``SLACK_BOT_TOKEN=...``) as keyword.
            field = key if key in FIELD_SECTION else VARIABLES[str(key).upper()]
            section = nested.setdefault(FIELD_SECTION[field], {})
            if isinstance(section, dict):
                section[field] = value
        else:
            nested[key] = value  # rejected by extra="forbid" with its own name
    return nested


class _FlatEnvironment(PydanticBaseSettingsSource):
    """Reads flat ``NEWSDESK_*`` (and the standard) variables from the environment and ``.env``.

    The environment wins over ``.env``; an empty value means "use the default", as left by
    uncommenting a line of ``.env.example``. Names are case-insensitive.
    """

    def __init__(self, settings_cls: type[BaseSettings], env_file: Path | None) -> None:
        super().__init__(settings_cls)
        self.env_file = env_file

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every variable at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        # .env first, then the environment, which wins.
        for variables in (read_dotenv(self.env_file), os.environ):
            best: dict[str, tuple[int, str]] = {}
            for name, value in variables.items():
                field = VARIABLES.get(name.upper())
                if field is None or value is None or value == "":
                    continue
                # Within one source the first name of ``variable_names`` wins
                # (SLACK_BOT_TOKEN over NEWSDESK_SLACK_BOT_TOKEN).
                rank = variable_names(field).index(name.upper())
                if field not in best or rank < best[field][0]:
                    best[field] = (rank, value)
            values.update({field: value for field, (_, value) in best.items()})
        return _route(values)


def read_dotenv(env_file: Path | str | None) -> dict[str, str | None]:
    if env_file is None or not Path(env_file).is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(env_file).items() if k}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LLMSettings = LLMSettings()
    slack: SlackSettings = SlackSettings()
    serve: ServeSettings = ServeSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        env_file = getattr(dotenv_settings, "env_file", None)
        path = Path(env_file) if isinstance(env_file, str | Path) else None
        return init_settings, _FlatEnvironment(settings_cls, path)

    @model_validator(mode="before")
    @classmethod
    def _nest_flat_keys(cls, data: Any) -> Any:
        return _route(data) if isinstance(data, Mapping) else data


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning validation errors into one message naming each variable.

    ``overrides`` are flat field names (``chunk_size=500``) or whole sections, plus
    ``_env_file`` (``None`` ignores ``.env``).
    """
    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    names = set(os.environ) | set(
        read_dotenv(env_file if isinstance(env_file, str | Path) else None)
    )
    unknown = sorted(
        name
        for name in names
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in VARIABLES
    )
    if unknown:
        raise SettingsError(
            "Unknown setting(s): " + ", ".join(unknown) + " (see .env.example for the valid names)"
        )
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """One line per problem, each naming the variable a person would set to fix it."""
    lines = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"] if str(part) not in SECTIONS]
        field = loc[0] if loc else ""
        if field in FIELD_SECTION:
            name = variable_names(field)[-1]
        elif field:
            name = field.upper() if field.upper().startswith(ENV_PREFIX) else field
        else:
            name = "settings"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown setting (see .env.example for the names)"
        lines.append(f"{name}: {message}")
    return "Invalid settings:\n  " + "\n  ".join(lines)


def quiet_libraries() -> None:
    """Environment defaults for the libraries under a command-line tool, set before they load.

    Hub look-ups off (the model is on disk) and no progress bars or fork warnings from
    transformers / tokenizers. Only what the user has not set is changed.
    """
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("TRANSFORMERS_VERBOSITY", "error"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(name, value)
