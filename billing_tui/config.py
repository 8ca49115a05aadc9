"""Typed settings: the one place that knows paths, environment variables and the config file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .domain.queue import QueuePolicy

ENV_DB = "BILLING_TUI_DB"
ENV_CONFIG = "BILLING_TUI_CONFIG"


class ConfigError(Exception):
    """A configuration file that cannot be read; the message says which and why."""


def data_dir() -> Path:
    """$XDG_DATA_HOME/billing-tui (default ~/.local/share/billing-tui)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "billing-tui"


def config_path() -> Path:
    """$BILLING_TUI_CONFIG, or $XDG_CONFIG_HOME/billing-tui/config.toml."""
    if explicit := os.environ.get(ENV_CONFIG):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "billing-tui" / "config.toml"


def default_database() -> str:
    return str(data_dir() / "billing.db")


def demo_database() -> str:
    return str(data_dir() / "demo.db")


@dataclass(frozen=True)
class Settings:
    database: str
    queue: QueuePolicy = QueuePolicy()
    keymap: dict[str, str] = field(
        default_factory=dict
    )  # binding id -> keys, as Textual's set_keymap


def load_settings(database: str | None = None) -> Settings:
    """--db beats $BILLING_TUI_DB beats the config file's database beats the data directory."""
    path = config_path()
    raw: dict = {}
    if path.exists():
        import tomllib  # only when there is a file to read

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read the config file {path}: {error}") from None
    queue = raw.get("queue", {})
    try:
        policy = QueuePolicy(
            statement_cycle_days=int(queue.get("statement_cycle_days", 30)),
            verification_stale_days=int(queue.get("verification_stale_days", 30)),
        )
    except (TypeError, ValueError):
        raise ConfigError(f"{path}: [queue] settings must be whole numbers of days") from None
    keymap = {str(k): str(v) for k, v in raw.get("keys", {}).items()}
    chosen = database or os.environ.get(ENV_DB) or raw.get("database") or default_database()
    return Settings(database=str(chosen), queue=policy, keymap=keymap)
