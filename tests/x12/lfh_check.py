"""Run lfh_judge.py (LinuxForHealth x12) on 270/271 files from the tests.

LinuxForHealth x12 needs pydantic < 2, so it lives in its own virtualenv, made
on first use the way ../shared/tools/x12check makes pyx12's: $X12_LFH_VENV
(default /tmp/lfhvenv), with linuxforhealth-x12==0.57.0 and pydantic<2 from
PyPI. $X12_LFH_PYTHON names an interpreter that already has them instead.
When neither can be had (no network), the tests that need the judge skip and
say why.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

JUDGE = Path(__file__).with_name("lfh_judge.py")
REQUIREMENTS = ("linuxforhealth-x12==0.57.0", "pydantic<2")


class JudgeUnavailable(Exception):
    pass


def _works(python: str) -> bool:
    probe = "import linuxforhealth.x12.io, pydantic; assert pydantic.VERSION.startswith('1.')"
    result = subprocess.run([python, "-c", probe], capture_output=True, timeout=120, check=False)
    return result.returncode == 0


@cache
def judge_python() -> str:
    """An interpreter with LinuxForHealth x12, made if need be; JudgeUnavailable if it cannot be."""
    if explicit := os.environ.get("X12_LFH_PYTHON"):
        if _works(explicit):
            return explicit
        raise JudgeUnavailable(f"X12_LFH_PYTHON={explicit} lacks linuxforhealth-x12 / pydantic 1")
    venv = Path(os.environ.get("X12_LFH_VENV", "/tmp/lfhvenv"))
    python = venv / "bin" / "python"
    # pytest -n runs several workers: one makes the virtualenv while the others wait.
    with open(f"{venv}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and _works(str(python)):
            return str(python)
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", *REQUIREMENTS],
        ]
        for step in steps:
            result = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
            if result.returncode != 0:
                tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["?"]
                raise JudgeUnavailable(f"cannot install LinuxForHealth x12 in {venv}: {tail[0]}")
        if not _works(str(python)):
            raise JudgeUnavailable(f"LinuxForHealth x12 does not import in {venv}")
    return str(python)


def lfh_verdicts(*paths: str | Path) -> list[dict]:
    """One verdict per file: {"file", "valid", "transactions", "errors"}."""
    result = subprocess.run(
        [judge_python(), str(JUDGE), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"lfh_judge.py failed: {result.stderr[-2000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
