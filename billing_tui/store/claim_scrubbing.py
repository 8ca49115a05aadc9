"""Scrubbing saved claims: ClaimDetail -> domain ClaimFacts -> findings (being written)."""

from __future__ import annotations


class ClaimScrubbing:
    """Mixed into store.claims."""
