"""Entry point: `billing-tui` and `python -m billing_tui`."""

import sys


def main() -> None:
    from .cli import main as run

    sys.exit(run())


if __name__ == "__main__":
    main()
