"""Writing a finished document to its file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_file(path: Path, mode: str = "wb", **options) -> Iterator[IO]:
    """A file beside the target, renamed over it once the block has written it all: a
    reader never sees half a document. Left by an exception, it is removed and the
    target stays as it was. Readable by its owner only (mkstemp's mode), as befits a
    file full of patient data."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, mode, **options) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write data to path through atomic_file."""
    with atomic_file(path) as file:
        file.write(data)
