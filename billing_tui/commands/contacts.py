"""Subcommands of the patient side (contacts): being written (issue 5)."""


def register(commands) -> dict:
    return {}
