"""Validate an X12 file with pyx12 the way ../shared/tools/x12check does, from inside the tests.

pyx12's own x12valid script is not used: its exit status does not reflect
validity and it writes a 999 beside the input. Like x12check, this calls
x12n_document() directly with no acknowledgment output and collects every
ERROR record pyx12 logs; a file is valid when that returns True and logs none.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pyx12.errors
import pyx12.params
import pyx12.x12n_document


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path: str | Path) -> list[str]:
    """Every error pyx12 reports for the file; [] when it is valid."""
    logger = logging.getLogger("pyx12")
    capture = _Capture()
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:] = [capture]
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(path),
            fd_997=None,
            fd_html=None,
            fd_xmldoc=None,
            fd_json=None,
        )
    except UnicodeDecodeError as error:
        return [f"non-ASCII byte in file: {error}"]
    except pyx12.errors.EngineError as error:
        return [f"pyx12 could not validate: {error}"]
    finally:
        logger.handlers[:], level, logger.propagate = saved[0], saved[1], saved[2]
        logger.setLevel(level)
    if not ok and not capture.messages:
        return ["pyx12 returned failure without a logged error"]
    return capture.messages
