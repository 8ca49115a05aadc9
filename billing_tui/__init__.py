"""billing-tui: a keyboard-driven terminal workstation for medical billing specialists."""

__version__ = "0.1.0"
