"""Subcommands of the patient side (adjustments): being written (issue 5)."""


def register(commands) -> dict:
    return {}
