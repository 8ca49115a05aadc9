"""bench/make_dft.py: its DFT^P03 messages split, parse and name only what the practice has."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from billing_tui.domain import icd10, security
from billing_tui.sample import generate
from billing_tui.sample.reference import FEES, PROVIDERS
from billing_tui.store import Store

AS_OF = dt.date(2026, 11, 24)
MAKE_DFT = Path(__file__).resolve().parents[2] / "bench" / "make_dft.py"


@pytest.fixture(scope="module")
def make_dft():
    spec = importlib.util.spec_from_file_location("make_dft", MAKE_DFT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_dft"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["make_dft"]


@pytest.fixture(scope="module")
def practice_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dft") / "practice.db"
    with pytest.MonkeyPatch.context() as patch:
        # The sample users' passwords are of no concern here: hash them cheaply.
        patch.setattr(security, "SCRYPT_N", 2**4)
        store = Store.open(str(path), username="tester", today=lambda: AS_OF)
        try:
            generate(store.db, 40, seed=1, as_of=AS_OF)
        finally:
            store.close()
    return path


def run(make_dft, db: Path, out: Path, *more: str) -> bytes:
    make_dft.main(["--db", str(db), "--messages", "150", "--out", str(out),
                   "--as-of", AS_OF.isoformat(), *more])  # fmt: skip
    return out.read_bytes()


def split(data: bytes) -> list[list[list[str]]]:
    """Messages, each a list of segments, each a list of fields (MSH's field 1 is '|')."""
    text = data.decode("utf-8")
    assert "\n" not in text, "segments end with \\r"
    messages = [m for m in re.split(r"(?=MSH\|)", text) if m]
    return [[s.split("|") for s in m.split("\r") if s] for m in messages]


def test_every_message_has_its_segments_and_a_control_id_of_its_own(make_dft, practice_db,
                                                                    tmp_path):  # fmt: skip
    messages = split(run(make_dft, practice_db, tmp_path / "dft.hl7"))
    assert len(messages) == 150
    with sqlite3.connect(practice_db) as connection:
        accounts = {a for (a,) in connection.execute("SELECT account_number FROM patient")}
    fees = {(code, modifier): cents for code, modifier, _, cents in FEES}
    npis = {p.npi for p in PROVIDERS}
    controls = []
    for message in messages:
        names = [s[0] for s in message]
        assert names[:4] == ["MSH", "EVN", "PID", "PV1"], names
        assert 1 <= names.count("FT1") <= 4 and names.count("DG1") >= 1
        msh = message[0]
        assert msh[1] == "^~\\&" and msh[8] == "DFT^P03^DFT_P03" and msh[11] == "2.5.1"
        controls.append(msh[9])
        pid = next(s for s in message if s[0] == "PID")
        assert pid[18].split("^")[0] in accounts
        diagnoses = {s[3].split("^")[0] for s in message if s[0] == "DG1"}
        assert all(icd10.is_billable(code) for code in diagnoses), diagnoses
        for ft1 in (s for s in message if s[0] == "FT1"):
            code = ft1[7].split("^")[0]
            modifiers = ft1[26].split("~") if len(ft1) > 26 else []
            fee = fees.get((code, "95" if "95" in modifiers else "")) or fees[(code, "")]
            assert ft1[11] == f"{fee * int(ft1[10]) / 100:.2f}"
            assert ft1[6] == "CG" and ft1[16] in ("11", "02", "10")
            assert {d.split("^")[0] for d in ft1[19].split("~")} <= diagnoses
            assert ft1[20].split("^")[0] in npis
            dos = dt.datetime.strptime(ft1[4], "%Y%m%d").date()
            assert AS_OF - dt.timedelta(days=60) < dos <= AS_OF
    assert len(set(controls)) == len(controls)


def test_the_same_seed_gives_the_same_bytes(make_dft, practice_db, tmp_path):
    first = run(make_dft, practice_db, tmp_path / "a.hl7", "--seed", "7")
    again = run(make_dft, practice_db, tmp_path / "b.hl7", "--seed", "7")
    other = run(make_dft, practice_db, tmp_path / "c.hl7", "--seed", "8")
    assert first == again != other


def test_mllp_frames_each_message(make_dft, practice_db, tmp_path):
    plain = run(make_dft, practice_db, tmp_path / "dft.hl7")
    framed = run(make_dft, practice_db, tmp_path / "dft.mllp", "--mllp")
    frames = re.findall(rb"\x0b(.*?)\x1c\r", framed, re.S)
    assert len(frames) == 150 and b"".join(frames) == plain
    assert re.sub(rb"\x0b(.*?)\x1c\r", b"", framed, flags=re.S) == b""


def test_the_names_read_back_through_the_hl7_library(make_dft, practice_db, tmp_path):
    hl7 = pytest.importorskip("hl7")
    data = run(make_dft, practice_db, tmp_path / "dft.hl7")
    with sqlite3.connect(practice_db) as connection:
        people = {a: (last, first) for a, last, first in connection.execute(
            "SELECT account_number, last_name, first_name FROM patient")}  # fmt: skip
    for text in re.split(r"(?=MSH\|)", data.decode("utf-8"))[1:]:
        message = hl7.parse(text)
        pid = message.segment("PID")
        name = message.unescape(str(pid[5]))
        assert tuple(name.split("^")[:2]) == people[str(pid[18][0][0])]
        assert len(message.segments("FT1")) >= 1
