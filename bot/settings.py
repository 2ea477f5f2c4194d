"""The one typed settings object, read from ``NEWSDESK_*`` variables and ``.env``.

Built once at start-up (``load_settings``) and passed down; nothing else reads the environment.
Slack's own standard variable names (``SLACK_BOT_TOKEN`` ...) are accepted for the secrets.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.config import DEFAULT_EMBEDDING_MODEL, RetrievalConfig

ENV_PREFIX = "NEWSDESK_"


class SettingsError(ValueError):
    """Invalid configuration, with a message that names the variable to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        # .env files are shared with other tools (OPENAI_API_KEY, ...): ignore keys that are not
        # ours here; load_settings rejects unknown NEWSDESK_* names, where a typo would hide.
        extra="ignore",
        validate_default=True,
        # `NAME=` in .env (as left by uncommenting .env.example) means "use the default".
        env_ignore_empty=True,
    )

    # --- store ---------------------------------------------------------------------------
    store_path: Path = Field(Path("data/store"), description="Folder of the local Chroma store")
    collection: str = Field("newsdesk", min_length=3, max_length=63)
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded")
    chroma_port: int = Field(8000, ge=1, le=65535)

    # --- embedding and chunking ----------------------------------------------------------
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    torch_threads: int = Field(0, ge=0, le=256, description="0 = torch's default")
    chunk_size: int = Field(1000, ge=100, le=8000)
    chunk_overlap: int = Field(200, ge=0, le=4000)
    k: int = Field(6, ge=1, le=50)
    candidates: int = Field(40, ge=1, le=500)
    prune: bool = True
    ingest_batch: int = Field(256, ge=1, le=100_000, description="Chunks embedded per step")

    # --- answering -----------------------------------------------------------------------
    # A name registered in bot.generation: extractive, llm, local, or a plug-in's.
    generator: str = "extractive"
    prompt: str = Field("answer", description="Name of the answer prompt file in prompts/")
    max_question_chars: int = Field(1000, ge=10, le=100_000)
    answer_max_words: int = Field(120, ge=20, le=2000)
    # Minimum relevance of the best passage below which the bot abstains (measured on dev data).
    min_relevance: float | None = Field(None, ge=-1.0, le=1.0)

    # --- LLM generator (only used when generator = llm) ----------------------------------
    llm_model: str = Field("openai:gpt-4o-mini", description="provider:model for init_chat_model")
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(30.0, gt=0, le=600)
    llm_temperature: float = Field(0.0, ge=0, le=2)
    local_model_path: Path | None = None

    # --- Slack ---------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "NEWSDESK_SLACK_BOT_TOKEN")
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "NEWSDESK_SLACK_APP_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "NEWSDESK_SLACK_SIGNING_SECRET"),
    )
    slack_api_url: str = "https://slack.com/api/"
    slack_host: str = "127.0.0.1"
    slack_port: int = Field(3000, ge=1, le=65535)
    slack_allowed_channels: str = Field("", description="Comma-separated channel ids; empty = all")
    slack_rate_limit_per_minute: int = Field(10, ge=0, le=10_000)
    feedback_path: Path = Path("data/feedback.jsonl")

    @field_validator("generator")
    @classmethod
    def _known_generator(cls, value: str) -> str:
        from bot.generation import generator_names

        if value not in generator_names():
            raise ValueError(f"unknown generator {value!r}; choose one of {generator_names()}")
        return value

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                "NEWSDESK_CHUNK_OVERLAP must be smaller than NEWSDESK_CHUNK_SIZE"
                f" ({self.chunk_overlap} >= {self.chunk_size})"
            )
        return self

    def retrieval_config(self) -> RetrievalConfig:
        return RetrievalConfig(
            store_path=self.store_path,
            collection=self.collection,
            chroma_host=self.chroma_host,
            chroma_port=self.chroma_port,
            embedding_model=self.embedding_model,
            embedding_batch_size=self.embedding_batch_size,
            torch_threads=self.torch_threads,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            k=self.k,
            candidates=self.candidates,
            prune=self.prune,
            ingest_batch=self.ingest_batch,
        )


_ALIASED = {"slack_bot_token", "slack_app_token", "slack_signing_secret"}


def _variable_name(field: str) -> str:
    if field in _ALIASED:
        return field.upper()
    if field not in Settings.model_fields:
        # An unknown key from .env: pydantic reports the whole variable name, prefix included.
        return field.upper()
    return ENV_PREFIX + field.upper()


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one message naming each variable."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    names = set(os.environ)
    env_file = overrides.get("_env_file", Settings.model_config.get("env_file"))
    if isinstance(env_file, str | Path) and Path(env_file).is_file():
        from dotenv import dotenv_values

        names |= {k for k in dotenv_values(env_file) if k}
    unknown = sorted(name for name in names if name.startswith(ENV_PREFIX) and name not in known)
    if unknown:
        raise SettingsError(
            "Unknown setting(s): " + ", ".join(unknown) + " (see .env.example for the valid names)"
        )
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = [str(part) for part in err["loc"]]
            field = loc[0] if loc else ""
            name = _variable_name(field) if field else "settings"
            if err["type"] == "extra_forbidden":
                lines.append(f"{name}: unknown setting in .env (see .env.example for the names)")
            else:
                lines.append(f"{name}: {err['msg']}")
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(lines)) from None
