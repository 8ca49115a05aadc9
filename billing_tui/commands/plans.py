"""Subcommands of the patient side (plans): being written (issue 5)."""


def register(commands) -> dict:
    return {}
