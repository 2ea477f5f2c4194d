"""What every ``newsdesk`` command shares: the consoles, settings that fail as one clear message,
and a store or model problem shown as one line instead of a traceback."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from bot.settings import Settings, SettingsError, load_settings

console = Console()
err = Console(stderr=True)


def settings_or_exit(**overrides: Any) -> Settings:
    """The settings (``overrides``: flat names, ``None`` left out); exit 2 with the message."""
    try:
        from bot.wiring import check_settings

        return check_settings(
            load_settings(**{k: v for k, v in overrides.items() if v is not None})
        )
    except SettingsError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from None


def fail(exc: Exception) -> typer.Exit:
    """A store or model problem as one clear line instead of a traceback."""
    err.print(f"[red]{escape(str(exc))}[/red]")
    return typer.Exit(1)
