"""Typed settings: the one place that knows paths, environment variables and the config file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .domain.adjustments import FeePolicy
from .domain.money import MoneyError, parse_cents
from .domain.queue import QueuePolicy
from .domain.statements import StatementPolicy

ENV_DB = "BILLING_TUI_DB"
ENV_CONFIG = "BILLING_TUI_CONFIG"
ENV_SMTP_PASSWORD = "BILLING_TUI_SMTP_PASSWORD"


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
class EmailSettings:
    """Where emails to patients go: always an .eml file in the outbox first; then, when an
    SMTP server is configured, sent from there (one that fails to send stays in the outbox)."""

    outbox: Path = field(default_factory=lambda: data_dir() / "outbox")
    sender: str = ""  # the From: address; required to write an email
    smtp_host: str = ""  # '' : no server, the .eml files wait in the outbox for a mail client
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    security: str = "starttls"  # starttls, ssl, none
    timeout: float = 15.0

    @property
    def can_send(self) -> bool:
        return bool(self.smtp_host)


@dataclass(frozen=True)
class Settings:
    database: str
    queue: QueuePolicy = QueuePolicy()
    keymap: dict[str, str] = field(
        default_factory=dict
    )  # binding id -> keys, as Textual's set_keymap
    statements: StatementPolicy = StatementPolicy()
    fees: FeePolicy = FeePolicy()
    email: EmailSettings = field(default_factory=EmailSettings)
    documents: Path = field(default_factory=lambda: data_dir() / "documents")  # letters, receipts
    idle_minutes: int = 10  # [security] idle_minutes: the TUI locks after this long; 0 never


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
    queue = _section(raw, "queue", path)
    statements = _section(raw, "statements", path)
    # One cycle for the S flag and for choosing who gets a statement: [statements] says it,
    # [queue] statement_cycle_days (the older name) still works.
    cycle_days = statements.get("cycle_days", queue.get("statement_cycle_days", 30))
    try:
        policy = QueuePolicy(
            statement_cycle_days=int(cycle_days),
            verification_stale_days=int(queue.get("verification_stale_days", 30)),
            plan_grace_days=int(_section(raw, "plans", path).get("grace_days", 5)),
        )
    except (TypeError, ValueError):
        raise ConfigError(
            f"{path}: [queue], [statements] and [plans] days must be whole numbers"
        ) from None
    keymap = {str(k): str(v) for k, v in raw.get("keys", {}).items()}
    chosen = database or os.environ.get(ENV_DB) or raw.get("database") or default_database()
    return Settings(
        database=str(chosen),
        queue=policy,
        keymap=keymap,
        statements=_statement_policy(statements, policy.statement_cycle_days, path),
        fees=_fee_policy(raw, path),
        email=_email(_section(raw, "email", path), path),
        documents=Path(raw.get("documents") or data_dir() / "documents").expanduser(),
        idle_minutes=_idle_minutes(_section(raw, "security", path), path),
    )


def _idle_minutes(section: dict, path: Path) -> int:
    value = section.get("idle_minutes", 10)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 240:
        raise ConfigError(f"{path}: [security] idle_minutes is a whole number from 0 to 240")
    return value


def _section(raw: dict, name: str, path: Path) -> dict:
    section = raw.get(name, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [{name}] must be a table of settings")
    return section


def _cents(section: dict, key: str, default: int, where: str) -> int:
    value = section.get(key)
    if value is None:
        return default
    try:
        return parse_cents(str(value))
    except MoneyError:
        raise ConfigError(f'{where}: {key} must be an amount such as "15.00"') from None


def _statement_policy(section: dict, cycle_days: int, path: Path) -> StatementPolicy:
    where = f"{path} [statements]"
    defaults = StatementPolicy()
    messages = section.get("messages", defaults.messages)
    how_to_pay = section.get("how_to_pay", defaults.how_to_pay)
    try:
        return StatementPolicy(
            min_balance=_cents(section, "min_balance", defaults.min_balance, where),
            cycle_days=cycle_days,
            due_days=int(section.get("due_days", defaults.due_days)),
            messages=tuple(str(m) for m in messages),  # type: ignore[arg-type]
            how_to_pay=tuple(str(line) for line in how_to_pay),
        )
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}: {error}") from None


def _fee_policy(raw: dict, path: Path) -> FeePolicy:
    fees = _section(raw, "late_fees", path)
    limits = _section(raw, "adjustments", path)
    defaults = FeePolicy()
    try:
        return FeePolicy(
            late_fee=_cents(fees, "amount", defaults.late_fee, f"{path} [late_fees]"),
            days_past_due=int(fees.get("days_past_due", defaults.days_past_due)),
            approval_limit=_cents(
                limits, "approval_limit", defaults.approval_limit, f"{path} [adjustments]"
            ),
        )
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{path}: {error}") from None


def _email(section: dict, path: Path) -> EmailSettings:
    security = str(section.get("security", "starttls"))
    if security not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{path} [email]: security is starttls, ssl or none")
    try:
        port = int(section.get("smtp_port", 465 if security == "ssl" else 587))
        timeout = float(section.get("timeout", 15))
    except (TypeError, ValueError):
        raise ConfigError(f"{path} [email]: smtp_port and timeout must be numbers") from None
    outbox = section.get("outbox")
    return EmailSettings(
        outbox=Path(outbox).expanduser() if outbox else data_dir() / "outbox",
        sender=str(section.get("from", "")),
        smtp_host=str(section.get("smtp_host", "")),
        smtp_port=port,
        smtp_user=str(section.get("smtp_user", "")),
        # A password is better kept out of the file: the environment wins.
        smtp_password=os.environ.get(ENV_SMTP_PASSWORD, str(section.get("smtp_password", ""))),
        security=security,
        timeout=timeout,
    )
