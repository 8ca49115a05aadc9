"""Coverage checks by 270/271 through the Store and the CLI, on SQLite and PostgreSQL.

Each 271 here answers a 270 the Store wrote: the payer's loops echo our
requests (TRN*1 comes back as TRN*2) and add the answer a test chooses, so
the matching by trace is exercised on real files.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from store_builders import TODAY

from billing_tui.cli import main
from billing_tui.domain.queue import Flag, QueueFilter, QueuePolicy
from billing_tui.store import Store, StoreRefused
from billing_tui.store.models import AuditLog, Coverage, User, X12Interchange
from billing_tui.x12.reader import X12Error, read_interchanges

DAY = dt.timedelta(days=1)
ACTIVE = [
    "DTP*356*D8*20190301",
    "EB*1*IND*30*C1*GOLD PPO",
    "EB*B*IND*98*C1*GOLD PPO*27*25",
    "EB*C*IND*30*C1*GOLD PPO*23*1500",
    "EB*C*IND*30*C1*GOLD PPO*29*1200",
    "EB*A*IND*30*C1*GOLD PPO*27**.2",
    "EB*G*IND*30*C1*GOLD PPO*23*5000",
]
INACTIVE = ["DTP*347*D8*20260630", "EB*6*IND*30"]
REJECTED = ["AAA*N**72*C"]
ACTIVE_RESULT = (
    "Active (GOLD PPO); copay $25.00; deductible $1,500.00, $1,200.00 left; coinsurance 20%; "
    "OOP max $5,000.00; since 03/01/2019 (271 of 11/24/2026)"
)


def respond(
    text_270: str,
    answers: dict[str, list[str]],
    *,
    day: str = "20261124",
    clock: str = "1300",
    separators: str = "*:^~",
    newline: str = "\n",
    echo_traces: bool = True,
) -> str:
    """The payer's 271 to our 270: every request echoed, with answers[trace] (default active).

    AAA segments go where the TR3 puts them (before DMG); the rest after it.
    """
    (interchange,) = read_interchanges(text_270)
    out = [
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*990000001      "
        f"*{day[2:]}*{clock}*^*00501*000000555*0*T*:",
        f"GS*HB*CLEARINGHOUSE*990000001*{day}*{clock}*555*X*005010X279A1",
    ]
    for count, transaction in enumerate(interchange.transactions, start=1):
        body = [f"BHT*0022*11*{transaction.segments[0].get(3)}*{day}*{clock}"]
        people: list[tuple[str | None, list[str]]] = []  # (trace, segments) per HL 22/23
        for segment in transaction.segments[1:]:
            text = str(segment)
            if segment.id == "HL" and segment.get(3) in ("22", "23"):
                people.append((None, [text]))
            elif not people:
                if segment.id in ("HL", "NM1"):
                    body.append(text)  # the payer's and our loops, as we sent them
            elif segment.id == "TRN":
                people[-1] = (segment.get(2), people[-1][1])
                if echo_traces:
                    people[-1][1].append("TRN*2*" + text[len("TRN*1*") :])
            elif segment.id in ("NM1", "DMG"):
                people[-1][1].append(text)
        for trace, person in people:
            answer = answers.get(trace, ACTIVE) if trace else []
            aaa = [s for s in answer if s.startswith("AAA")]
            at = next((i for i, s in enumerate(person) if s.startswith("DMG")), len(person))
            body += person[:at] + aaa + person[at:] + [s for s in answer if s not in aaa]
        control = f"{count:04d}"
        out += [f"ST*271*{control}*005010X279A1", *body, f"SE*{len(body) + 2}*{control}"]
    out += [f"GE*{len(interchange.transactions)}*555", "IEA*1*000000555"]
    element, component, repetition, terminator = separators
    table = str.maketrans({"*": element, ":": component, "^": repetition})
    return "".join(s.translate(table) + terminator + newline for s in out)


def export(store, tmp_path, accounts=(), *, name="ask.270", unverified=False):
    result = store.eligibility.export_270(tmp_path / name, accounts, unverified=unverified)
    return result, (tmp_path / name).read_text()


def account(store, patient_id: int) -> str:
    return store.accounts.get(patient_id).patient.account_number


def snapshot(store) -> tuple:
    """Every coverage row and the audit log's length: what an import may change."""
    rows = [tuple(c.__data__.items()) for c in Coverage.select().order_by(Coverage.id)]
    return rows, AuditLog.select().count()


def flags(store, patient_id: int) -> tuple[Flag, ...]:
    number = account(store, patient_id)
    (row,) = [r for r in store.queue.page(number).rows if r.account_number == number]
    return row.flags


@pytest.fixture
def family(practice):
    """Jane (her own Acme coverage), her son Tom (on Jane's Acme plan), Al (Medicare)."""
    jane = practice.patient("Doe", "Jane", dt.date(1980, 4, 5))
    jane_cov = practice.coverage(jane, "Acme Health", member_id="ACM100")
    tom = practice.patient("Doe", "Tom", dt.date(2012, 6, 7), sex="M")
    tom_cov = practice.coverage(
        tom,
        "Acme Health",
        member_id="ACM100",
        relationship="19",
        subscriber_first="Jane",
        subscriber_last="Doe",
        subscriber_dob=dt.date(1980, 4, 5),
    )
    al = practice.patient("Núñez", "Al", dt.date(1950, 1, 2), sex="M")
    al_cov = practice.coverage(al, "Medicare Part B", member_id="1EG4TE5MK72")
    return {"jane": (jane, jane_cov), "tom": (tom, tom_cov), "al": (al, al_cov)}


# --------------------------------------------------------------------------- asking


def test_export_asks_about_the_named_accounts(practice, store, family, tmp_path):
    (jane, jane_cov), (tom, tom_cov) = family["jane"], family["tom"]
    nobody = practice.patient("Roe", "Nobody")
    ended = practice.patient("Poe", "Ended")
    practice.coverage(ended, "Acme Health", end_date=TODAY - DAY)
    numbers = [account(store, p) for p in (jane, tom, nobody, ended)]
    result, text = export(store, tmp_path, numbers)
    ic = result.control_number
    assert ic is not None and result.path == tmp_path / "ask.270"
    assert [(a.account_number, a.trace) for a in result.asked] == [
        (numbers[0], f"{jane_cov}-{ic}"),
        (numbers[1], f"{tom_cov}-{ic}"),
    ]
    assert [(n.account_number, n.reason) for n in result.not_asked] == [
        (numbers[2], "no current coverage"),
        (numbers[3], "no current coverage"),
    ]
    row = X12Interchange.get_by_id(ic)
    assert (row.kind, row.transactions) == ("270", 2)
    assert f"TRN*1*{jane_cov}-{ic}*1990000001~" in text
    assert "NM1*03*1*DOE*TOM~" in text  # Tom asked about as Jane's dependent
    again, _ = export(store, tmp_path, numbers[:1], name="again.270")
    assert again.control_number > ic  # never reused


def test_unverified_means_never_or_over_30_days_ago(practice, store, tmp_path):
    assert QueuePolicy().verification_stale_days == 30
    ids = {}
    for name, verified in (("Never", None), ("Fresh", 30), ("Stale", 31)):
        pid = practice.patient(name, "Pat")
        ids[name] = practice.coverage(pid, "Acme Health", member_id=f"M{name}")
        if verified is not None:
            practice.verified_on(ids[name], TODAY - verified * DAY)
    result, _ = export(store, tmp_path, unverified=True)
    assert {a.trace.split("-")[0] for a in result.asked} == {
        str(ids["Never"]),
        str(ids["Stale"]),
    }


def test_export_refusals_change_nothing(practice, store, family, tmp_path):
    jane = account(store, family["jane"][0])
    with pytest.raises(StoreRefused, match="no account '99999999'"):
        store.eligibility.export_270(tmp_path / "x.270", [jane, "99999999"])
    with pytest.raises(StoreRefused, match="does not exist"):
        store.eligibility.export_270(tmp_path / "missing" / "x.270", [jane])
    with pytest.raises(StoreRefused, match="name accounts"):
        store.eligibility.export_270(tmp_path / "x.270")
    assert not list(tmp_path.glob("*.270*")) and X12Interchange.select().count() == 0


# --------------------------------------------------------------------------- answers


def test_an_active_answer_records_verification_and_terms(practice, store, family, tmp_path):
    jane, jane_cov = family["jane"]
    practice.verified_on(jane_cov, TODAY - 45 * DAY)
    assert Flag.UNVERIFIED in flags(store, jane)
    audits = AuditLog.select().count()
    _, text = export(store, tmp_path, [account(store, jane)])
    result = store.eligibility.import_271(respond(text, {}))
    (answer,) = result.answers
    assert (answer.outcome, answer.status, answer.account_number) == (
        "updated",
        "active",
        account(store, jane),
    )
    assert answer.result == ACTIVE_RESULT
    row = Coverage.get_by_id(jane_cov)
    assert row.verified_at == dt.datetime(2026, 11, 24, 13, 0)  # when the payer answered
    assert User.get_by_id(row.verified_by_id).username == "tester"
    assert (row.verified_how, row.verification_result) == ("270/271", ACTIVE_RESULT)
    assert (row.copay_cents, row.deductible_cents, row.deductible_met_cents) == (
        2_500,
        150_000,
        30_000,
    )
    assert (row.coinsurance_bp, row.oop_max_cents) == (2_000, 500_000)
    assert (row.start_date, row.end_date) == (dt.date(2019, 3, 1), None)
    assert Flag.UNVERIFIED not in flags(store, jane)
    unverified = store.queue.page("", QueueFilter(flag=Flag.UNVERIFIED)).rows
    assert account(store, jane) not in {r.account_number for r in unverified}
    (coverage,) = store.accounts.get(jane).coverages
    assert (coverage.verified_by, coverage.copay) == ("tester", 2_500)
    (audit,) = AuditLog.select().where(AuditLog.id > audits, AuditLog.action == "verify")
    assert (audit.entity, audit.entity_id, audit.patient_id) == ("coverage", jane_cov, jane)
    before, after = json.loads(audit.before), json.loads(audit.after)
    assert before["copay_cents"] == 0 and after["copay_cents"] == 2_500
    assert before["verified_at"].startswith("2026-10-10") and after["verified_at"].startswith(
        "2026-11-24 13:00"
    )
    assert before["verified_how"] == "" and after["verified_how"] == "270/271"
    assert store.verify().ok


def test_inactive_and_rejected_answers(practice, store, family, tmp_path):
    (jane, jane_cov), (al, al_cov) = family["jane"], family["al"]
    practice.verified_on(al_cov, TODAY - 10 * DAY)  # fresh: until the payer rejects it
    result, text = export(store, tmp_path, [account(store, jane), account(store, al)])
    ic = result.control_number
    answers = {f"{jane_cov}-{ic}": INACTIVE, f"{al_cov}-{ic}": REJECTED}
    imported = store.eligibility.import_271(respond(text, answers))
    by_account = {a.account_number: a for a in imported.answers}
    inactive = by_account[account(store, jane)]
    assert (inactive.status, inactive.outcome) == ("inactive", "updated")
    assert inactive.result == "Inactive; ended 06/30/2026 (271 of 11/24/2026)"
    row = Coverage.get_by_id(jane_cov)
    assert row.end_date == dt.date(2026, 6, 30) and row.verified_at is not None
    assert Flag.EXPIRED in flags(store, jane) and Flag.UNVERIFIED not in flags(store, jane)
    rejected = by_account[account(store, al)]
    assert rejected.status == "rejected"
    assert rejected.result == (
        "Not verified: payer rejected the inquiry 11/24/2026 "
        "(72 invalid/missing subscriber/insured id; please correct and resubmit)"
    )
    row = Coverage.get_by_id(al_cov)
    assert row.verified_at is None and row.verified_how == "270/271"
    assert row.verification_result == rejected.result
    assert Flag.UNVERIFIED in flags(store, al)


def test_two_transactions_other_separators_no_line_breaks(practice, store, family, tmp_path):
    (jane, jane_cov), (al, al_cov) = family["jane"], family["al"]
    _, text = export(store, tmp_path, [account(store, jane), account(store, al)])
    assert text.count("ST*270*") == 2  # one per payer
    answer = respond(text, {}, separators="|>!'", newline="")
    assert "\n" not in answer and answer.count("ST|271|") == 2
    result = store.eligibility.import_271(answer)
    assert [a.outcome for a in result.answers] == ["updated", "updated"]
    assert (
        Coverage.get_by_id(al_cov).copay_cents == Coverage.get_by_id(jane_cov).copay_cents == 2_500
    )


def test_importing_the_same_271_twice_is_harmless(practice, store, family, tmp_path):
    jane, al = family["jane"][0], family["al"][0]
    _, text = export(store, tmp_path, [account(store, jane), account(store, al)])
    answer = respond(text, {})
    store.eligibility.import_271(answer)
    before = snapshot(store)
    again = store.eligibility.import_271(answer)
    assert [a.outcome for a in again.answers] == ["unchanged", "unchanged"]
    assert snapshot(store) == before
    other_user = Store(store.db, username="someone", today=lambda: TODAY)
    assert [a.outcome for a in other_user.eligibility.import_271(answer).answers] == [
        "unchanged",
        "unchanged",
    ]
    assert snapshot(store) == before


def test_an_answer_older_than_the_verification_is_left_out(practice, store, family, tmp_path):
    jane, jane_cov = family["jane"]
    _, text = export(store, tmp_path, [account(store, jane)])
    practice.verified_on(jane_cov, TODAY)  # by phone this morning, 09:30
    before = snapshot(store)
    (answer,) = store.eligibility.import_271(respond(text, {}, clock="0900")).answers
    assert answer.outcome == "older" and snapshot(store) == before


def test_answers_without_our_trace_match_by_payer_and_member(practice, store, family, tmp_path):
    (jane, jane_cov), (tom, tom_cov) = family["jane"], family["tom"]
    _, text = export(store, tmp_path, [account(store, jane), account(store, tom)])
    answer = respond(text, {}, echo_traces=False)
    assert "TRN*2*" not in answer
    result = store.eligibility.import_271(answer)
    # Jane and Tom share member ID ACM100: the loop (subscriber or dependent) and the
    # name and date of birth tell their coverages apart.
    assert [(a.account_number, a.outcome) for a in result.answers] == [
        (account(store, jane), "updated"),
        (account(store, tom), "updated"),
    ]
    assert Coverage.get_by_id(jane_cov).verified_at == Coverage.get_by_id(tom_cov).verified_at


def test_an_answer_that_matches_nothing_is_reported(practice, store, family, tmp_path):
    _, text = export(store, tmp_path, [account(store, family["al"][0])])
    stranger = respond(text, {}, echo_traces=False).replace("1EG4TE5MK72", "9ZZ9ZZ9ZZ99")
    forged = respond(text, {}).replace(f"TRN*2*{family['al'][1]}-", "TRN*2*1-99")
    forged = forged.replace("1EG4TE5MK72", "9ZZ9ZZ9ZZ99")
    before = snapshot(store)
    for text_271 in (stranger, forged):
        (answer,) = store.eligibility.import_271(text_271).answers
        assert (answer.outcome, answer.account_number) == ("not matched", "")
        assert answer.patient == "NUNEZ, AL" and answer.status == "active"
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda t: t.replace("ISA*", "ISB*", 1), "does not start with an ISA"),
        (lambda t: t[: len(t) * 2 // 3], "truncated"),
        (lambda t: t.replace("*^*00501*", "*~*00501*", 1), "same character"),
        (
            lambda t: t.replace("EB*C*IND*30*C1*GOLD PPO*23*1500", "EB*C*IND*30*C1*GOLD PPO*23*X"),
            "EB07",
        ),
        (lambda t: t.replace("HL*3*2*22*0", "HL*3*2*24*0"), "HL03"),
    ],
)
def test_a_malformed_271_changes_nothing(practice, store, family, tmp_path, damage, words):
    jane, al = family["jane"][0], family["al"][0]
    _, text = export(store, tmp_path, [account(store, jane), account(store, al)])
    answer = respond(text, {})
    broken = damage(answer)
    assert broken != answer
    before = snapshot(store)
    with pytest.raises(X12Error, match=words) as refused:
        store.eligibility.import_271(broken)
    assert refused.value.segment >= 1 and str(refused.value).startswith("segment ")
    assert snapshot(store) == before  # the good transaction before the bad one did not land


# --------------------------------------------------------------------------- the queue


@pytest.mark.parametrize(("days", "flagged"), [(0, False), (30, False), (31, True)])
def test_the_queue_flags_a_verification_older_than_30_days(practice, store, days, flagged):
    pid = practice.patient()
    practice.verified_on(practice.coverage(pid), TODAY - days * DAY)
    assert (Flag.UNVERIFIED in flags(store, pid)) is flagged
    assert (Flag.UNVERIFIED in store.accounts.get(pid).flags) is flagged
    filtered = store.queue.page("", QueueFilter(flag=Flag.UNVERIFIED)).rows
    assert (pid in {r.patient_id for r in filtered}) is flagged


# --------------------------------------------------------------------------- the CLI


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_commands(practice, store, family, tmp_path, capsys, db_url):
    jane = account(store, family["jane"][0])
    Store.open(db_url, username="clerk").session.user_id()  # the clerk the CLI acts as
    store.close()  # the CLI opens the database afresh, as a person's shell would
    out_file = str(tmp_path / "cli.270")
    code, out, err = run(
        capsys,
        "--db",
        db_url,
        "--user",
        "clerk",
        "export-270",
        "--out",
        out_file,
        "--account",
        jane,
        "--test",
    )
    assert code == 0, err
    assert "1 requests written to" in out and "(test)" in out and jane in out
    text = (tmp_path / "cli.270").read_text()
    assert "*T*:~" in text
    today = dt.date.today()  # the CLI's Store runs on the wall clock
    answer = tmp_path / "cli.271"
    answer.write_text(respond(text, {}, day=today.strftime("%Y%m%d")))
    code, out, err = run(capsys, "--db", db_url, "--user", "clerk", "import-271", str(answer))
    assert code == 0, err
    assert jane in out and "updated" in out and "1 coverages updated, 0 not matched" in out
    broken = tmp_path / "broken.271"
    broken.write_text(answer.read_text().replace("EB*1*IND*30", "EB*Q1*IND*30"))
    code, out, err = run(capsys, "--db", db_url, "import-271", str(broken))
    assert code == 1 and out == ""
    assert "refused, nothing changed: segment" in err and "(EB): EB01 'Q1'" in err
    code, _, err = run(capsys, "--db", db_url, "export-270", "--out", out_file)
    assert code == 2 and "--account" in err
    code, _, err = run(capsys, "--db", db_url, "export-270", "--out", out_file, "--account", "404")
    assert code == 1 and "no account '404'" in err
    code, _, err = run(capsys, "--db", db_url, "import-271", str(tmp_path / "none.271"))
    assert code == 1 and "cannot read" in err
