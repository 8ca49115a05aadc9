"""Subcommands of the patient side (statements): being written (issue 5)."""


def register(commands) -> dict:
    return {}
