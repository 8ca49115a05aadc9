"""Claims built from other claims: replacement (7), void (8), secondary with COB (being written)."""

from __future__ import annotations


class ClaimBuilders:
    """Mixed into store.claims."""
