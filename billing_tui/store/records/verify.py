"""What `billing-tui verify` reports."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken invariant found by `billing-tui verify`."""

    check: str
    entity: str
    entity_id: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    violations: tuple[Violation, ...]
    counted: dict[str, int] = field(default_factory=dict)
    truncated: int = 0  # violations found beyond those listed
    balance_total: int = 0  # every account's recomputed balance, summed (what aging totals)

    @property
    def ok(self) -> bool:
        return not self.violations
