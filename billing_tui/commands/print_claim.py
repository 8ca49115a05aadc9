"""Subcommands: print_claim (being written)."""

from __future__ import annotations


def register(commands) -> dict:
    return {}
