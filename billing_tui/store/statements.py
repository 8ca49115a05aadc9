"""Patient statements in the store: who gets one, what it says, printing a run, reprinting.

A run reads its accounts a chunk at a time, a handful of queries per chunk (never one
per account), builds each StatementContent from the ledger, draws them all into one
PDF, and only then records them: the file is written beside its final name first, the
statements are inserted in one write transaction, and the file takes its name inside
that transaction. So a statement that failed to render is never recorded as sent, and
a recorded run always has its file.

The figures are the ledger's, in the words of `billing-tui report claims`: for each
visit (a claim and the secondary claims that carry its adjudication), charge, insurance
paid, adjustments, what the patient paid, what insurance still holds and what the
patient owes; money on no visit (late fees, credits, refunds) is listed on its own.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from peewee import JOIN, fn

from ..domain.adjustments import Category, FeePolicy
from ..domain.ledger import EntryKind
from ..domain.money import format_cents
from ..domain.queue import QueuePolicy
from ..domain.statements import (
    PLAN_BEHIND_MESSAGE,
    PLAN_MESSAGE,
    AccountItem,
    Cycle,
    LastStatement,
    Party,
    PlanSummary,
    StatementContent,
    StatementError,
    StatementLine,
    StatementPolicy,
    StatementVisit,
    aging,
    due_statement,
    next_cycle,
)
from .bulk import among, insert_rows_with_ids
from .cache import as_date, chunked
from .db import database
from .models import (
    AccountSummary,
    BillingProvider,
    Claim,
    CollectionPlacement,
    FeeSchedule,
    Guarantor,
    LedgerEntry,
    Patient,
    Payer,
    Provider,
    ServiceLine,
    Statement,
    StatementRun,
    User,
    utcnow,
)
from .records.statements import Held, RunResult, StatementCandidate, StatementRecord
from .session import Session, StoreConflict, StoreRefused

CHUNK = 500  # accounts whose facts are read together


class Statements:
    def __init__(
        self, session: Session, policy: StatementPolicy, fees: FeePolicy, queue: QueuePolicy
    ) -> None:
        self._session = session
        self._policy = policy
        self._fees = fees
        self._queue = queue

    @property
    def policy(self) -> StatementPolicy:
        return self._policy

    # ------------------------------------------------------------------ choosing

    def candidates(
        self, *, min_balance: int | None = None, accounts: Sequence[str] = (), limit: int = 0
    ) -> list[StatementCandidate]:
        """The accounts a run would print now (named ones are each answered: printed or held),
        in mailing order: by ZIP code, then name (a print shop presorts by ZIP)."""
        policy = self._checked_policy(min_balance)
        today = self._session.today()
        if accounts:
            return self._named(accounts, policy, today)
        cutoff = today - dt.timedelta(days=policy.cycle_days)
        placed = CollectionPlacement.select(CollectionPlacement.id).where(
            (CollectionPlacement.patient == AccountSummary.patient)
            & CollectionPlacement.recalled_at.is_null()
        )
        query = (
            AccountSummary.select(
                Patient.id, Patient.account_number, Patient.last_name, Patient.first_name,
                AccountSummary.patient_balance_cents, AccountSummary.last_statement_date,
            )
            .join(Patient, on=(Patient.id == AccountSummary.patient))
            .where(
                (AccountSummary.patient_balance_cents >= policy.min_balance)
                & (AccountSummary.last_statement_date.is_null()
                   | (AccountSummary.last_statement_date <= cutoff))
                & ~fn.EXISTS(placed)
            )
            .order_by(Patient.zip, Patient.search_last, Patient.search_first, Patient.id)
            .tuples()
        )  # fmt: skip
        if limit:
            query = query.limit(limit)
        return [
            StatementCandidate(pid, number, f"{last}, {first}", int(balance), as_date(last_date))
            for pid, number, last, first, balance, last_date in query
        ]

    def _named(
        self, accounts: Sequence[str], policy: StatementPolicy, today: dt.date
    ) -> list[StatementCandidate]:
        numbers = list(dict.fromkeys(a.strip().upper() for a in accounts if a.strip()))
        rows = {
            number: (pid, last, first, balance, last_date)
            for pid, number, last, first, balance, last_date in Patient.select(
                Patient.id, Patient.account_number, Patient.last_name, Patient.first_name,
                AccountSummary.patient_balance_cents, AccountSummary.last_statement_date,
            )
            .join(AccountSummary, JOIN.LEFT_OUTER, on=(AccountSummary.patient == Patient.id))
            .where(among(Patient.account_number, numbers))
            .tuples()
        }  # fmt: skip
        missing = [n for n in numbers if n not in rows]
        if missing:
            raise StoreRefused(f"no account {missing[0]!r}")
        in_collections = _in_collections([rows[n][0] for n in numbers])
        found = []
        for number in numbers:
            pid, last, first, balance, last_date = rows[number]
            held = due_statement(
                patient_balance=int(balance or 0),
                last_statement=as_date(last_date),
                in_collections=pid in in_collections,
                today=today,
                policy=policy,
            )
            found.append(
                StatementCandidate(
                    pid, number, f"{last}, {first}", int(balance or 0), as_date(last_date),
                    held or "",
                )
            )  # fmt: skip
        return found

    def _checked_policy(self, min_balance: int | None) -> StatementPolicy:
        if min_balance is None:
            return self._policy
        if min_balance <= 0:
            raise StoreRefused("the minimum balance must be more than 0.00")
        return replace(self._policy, min_balance=min_balance)

    # ------------------------------------------------------------------ content

    def preview(self, patient_id: int) -> StatementContent:
        """The statement the account would get today, whether or not a run would print it
        now (the screen says why not); StoreRefused when there is nothing to state."""
        contents, held = self.contents([patient_id])
        if held:
            raise StoreRefused(held[0].reason)
        return contents[0]

    def contents(
        self, patient_ids: Sequence[int], *, statement_date: dt.date | None = None
    ) -> tuple[list[StatementContent], list[Held]]:
        """Each account's statement as of today, in the order given; accounts that cannot
        get one (no address, nothing owed) are held with the reason."""
        built: list[StatementContent] = []
        held: list[Held] = []
        for content in self._build(list(patient_ids), statement_date or self._session.today()):
            if isinstance(content, Held):
                held.append(content)
            else:
                built.append(content)
        return built, held

    def _build(self, patient_ids: list[int], as_of: dt.date) -> Iterator[StatementContent | Held]:
        practice = _practice()
        how_to_pay = self._policy.how_to_pay or _how_to_pay(practice)
        descriptions = {
            code: text
            for code, text in FeeSchedule.select(FeeSchedule.code, FeeSchedule.description)
            .order_by(FeeSchedule.modifier.desc())  # the plain code's wording wins
            .tuples()
        }
        from .plans import plan_summaries

        for ids in chunked(patient_ids, CHUNK):
            facts = _Facts.read(ids)
            plans = plan_summaries(ids, as_of)
            for pid in ids:
                try:
                    yield self._content(
                        facts, pid, as_of, practice, how_to_pay, descriptions, plans.get(pid)
                    )
                except _NoStatement as why:
                    yield Held(facts.patients[pid].account_number, str(why))

    def _content(
        self,
        facts: _Facts,
        pid: int,
        as_of: dt.date,
        practice: Party,
        how_to_pay: tuple[str, ...],
        descriptions: dict[str, str],
        plan: PlanSummary | None,
    ) -> StatementContent:
        patient = facts.patients[pid]
        recipient = patient.recipient()
        if recipient is None:
            raise _NoStatement("no mailing address on the account")
        if pid in facts.in_collections:
            raise _NoStatement("the account is with a collection agency")
        visits = facts.visits(pid, descriptions)
        items = facts.account_items(pid)
        balance = sum(v.patient_owes for v in visits) + sum(i.amount for i in items)
        if balance <= 0:
            raise _NoStatement(f"the patient balance is {format_cents(balance)}")
        visits = [v for v in visits if v.patient_owes]
        ages = aging(
            [(v.dos, v.patient_owes) for v in visits] + [(i.date, i.amount) for i in items], as_of
        )
        due_date = as_of + dt.timedelta(days=self._policy.due_days)
        last = facts.last_statements.get(pid)
        if plan is not None and plan.remaining > 0:
            behind = plan.overdue > 0
            cycle = Cycle.PAST_DUE if behind else Cycle.REMINDER
            message = PLAN_BEHIND_MESSAGE if behind else PLAN_MESSAGE
            asked = plan.overdue if behind else min(plan.instalment, plan.remaining)
            if not behind and plan.next_due is not None and plan.next_due > as_of:
                due_date = plan.next_due
            amount_due = min(max(asked, 1), balance)
        else:
            cycle = next_cycle(last, facts.paid_since.get(pid, 0))
            message = self._policy.messages[cycle - 1]
            amount_due = balance
        try:
            return StatementContent(
                practice=practice,
                remit_to=practice,
                recipient=recipient,
                patient_name=patient.name,
                account_number=patient.account_number,
                statement_date=as_of,
                due_date=due_date,
                cycle=int(cycle),
                message=message,
                visits=tuple(visits),
                account_items=tuple(items),
                aging=ages,
                balance=balance,
                amount_due=amount_due,
                how_to_pay=how_to_pay,
                plan=plan if plan is not None and plan.remaining > 0 else None,
            )
        except StatementError as error:  # the ledger itself disagrees: never print it
            raise _NoStatement(str(error)) from None

    # ------------------------------------------------------------------ printing

    def run(
        self,
        out_dir: Path,
        *,
        min_balance: int | None = None,
        accounts: Sequence[str] = (),
        limit: int = 0,
    ) -> RunResult:
        """Print every account due a statement (or the named ones; or the first `limit` in
        mailing order) into one PDF in out_dir and record them; nothing is recorded unless
        the file is written, and vice versa."""
        out_dir = Path(out_dir)
        _check_writable(out_dir)
        policy = self._checked_policy(min_balance)
        session = self._session
        started = utcnow()
        chosen = self.candidates(min_balance=min_balance, accounts=accounts, limit=limit)
        held = [Held(c.account_number, c.held) for c in chosen if c.held]
        due = [c.patient_id for c in chosen if not c.held]
        if not due:
            raise _nothing_to_print(held)
        from ..pdf.statement_printer import StatementPrinter  # on first use: fpdf2 is slow

        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".statements-", suffix=".part")
        os.close(handle)
        final: Path | None = None
        renamed = False
        try:
            # The drawing goes on (in a second process, for a big run) while the next
            # accounts are read: each chunk is handed over as soon as it is built.
            printed: list[tuple[StatementContent, str]] = []
            with StatementPrinter(Path(temporary), title="Patient statements",
                                  expected=len(due)) as printer:  # fmt: skip
                for chunk in chunked(due, CHUNK):
                    contents, not_built = self.contents(chunk)
                    held.extend(not_built)
                    kept = [(content, content.to_json()) for content in contents]
                    printer.add([text for _, text in kept])
                    printed.extend(kept)
                if not printed:
                    raise _nothing_to_print(held)
                pages = printer.finish()
            statement_date = printed[0][0].statement_date
            total_due = sum(content.amount_due for content, _ in printed)
            with session.writing():
                self._refuse_overlap(printed, started)
                run_id = StatementRun.insert(
                    statement_date=statement_date,
                    file_name="",
                    statements=len(printed),
                    pages=sum(pages),
                    total_due_cents=total_due,
                    min_balance_cents=policy.min_balance,
                    created_by=session.user_id(),
                ).execute()
                final = out_dir / f"statements-{statement_date:%Y%m%d}-{run_id:05d}.pdf"
                StatementRun.update(file_name=str(final)).where(StatementRun.id == run_id).execute()
                ids = self._record(run_id, printed, pages)
                session.audit(
                    "print", "statement_run", run_id,
                    after={"statements": len(printed), "first": ids[0], "last": ids[-1],
                           "pages": sum(pages), "file": final.name},
                )  # fmt: skip
                os.replace(temporary, final)
                renamed = True
        except BaseException:
            # Nothing was recorded (the transaction rolled back): no file either.
            Path(temporary).unlink(missing_ok=True)
            if renamed and final is not None:
                final.unlink(missing_ok=True)
            raise
        return RunResult(
            run_id=run_id,
            path=final,
            statements=len(printed),
            pages=sum(pages),
            total_due=total_due,
            held=tuple(held),
        )

    def _refuse_overlap(self, printed: list, started: dt.datetime) -> None:
        """Two runs at once must not both mail an account: the later one records nothing."""
        numbers = [content.account_number for content, _ in printed]
        for chunk in chunked(numbers, CHUNK):
            clash = (
                Statement.select(Patient.account_number)
                .join(Patient, on=(Patient.id == Statement.patient))
                .where(among(Patient.account_number, chunk) & (Statement.created_at >= started))
                .scalar()
            )
            if clash:
                raise StoreConflict(
                    "another statement run printed some of these accounts meanwhile; "
                    "nothing was recorded: run the statements again"
                )

    def _record(self, run_id: int, printed: list, pages: Sequence[int]) -> list[int]:
        session = self._session
        user = session.user_id()
        now = utcnow()
        by_number = {
            number: pid
            for chunk in chunked([content.account_number for content, _ in printed], CHUNK)
            for pid, number in Patient.select(Patient.id, Patient.account_number)
            .where(among(Patient.account_number, chunk))
            .tuples()
        }
        rows = [
            (by_number[c.account_number], c.statement_date, c.cycle, c.amount_due, c.due_date,
             text, now, user, run_id, c.balance, count)
            for (c, text), count in zip(printed, pages, strict=True)
        ]  # fmt: skip
        ids = insert_rows_with_ids(
            Statement,
            ("patient", "statement_date", "cycle", "amount_due_cents", "due_date", "content",
             "created_at", "created_by", "run", "balance_cents", "pages"),
            rows,
        )  # fmt: skip
        # The summary's last statement date is MAX(statement_date): set it, no recount.
        date = printed[0][0].statement_date
        for chunk in chunked(sorted(by_number.values()), CHUNK):
            AccountSummary.update(last_statement_date=date).where(
                among(AccountSummary.patient, chunk)
                & (AccountSummary.last_statement_date.is_null()
                   | (AccountSummary.last_statement_date < date))
            ).execute()  # fmt: skip
        return ids

    # ------------------------------------------------------------------ looking back

    def statements_of(self, patient_id: int, *, limit: int = 100) -> list[StatementRecord]:
        """The account's statements, newest first."""
        query = (
            Statement.select(
                Statement.id, Statement.statement_date, Statement.cycle, Statement.balance_cents,
                Statement.amount_due_cents, Statement.due_date, Statement.pages, Statement.run,
                StatementRun.file_name, User.username, fn.LENGTH(Statement.content).coerce(False),
            )
            .join(StatementRun, JOIN.LEFT_OUTER, on=(StatementRun.id == Statement.run))
            .switch(Statement)
            .join(User, JOIN.LEFT_OUTER, on=(User.id == Statement.created_by))
            .where(Statement.patient == patient_id)
            .order_by(Statement.statement_date.desc(), Statement.id.desc())
            .limit(limit)
            .tuples()
        )  # fmt: skip
        return [
            StatementRecord(
                id=sid, statement_date=as_date(date), cycle=cycle,
                cycle_label=Cycle(min(max(cycle, 1), 3)).label, balance=int(balance or 0),
                amount_due=int(due), due_date=as_date(due_date), pages=pages, run_id=run_id,
                file_name=Path(file_name).name if file_name else "", created_by=username or "",
                reprintable=(length or 0) > 2,
            )
            for sid, date, cycle, balance, due, due_date, pages, run_id, file_name, username,
            length in query
        ]  # fmt: skip

    def content_of(self, statement_id: int) -> StatementContent:
        """What a past statement printed, read back from what was kept."""
        row = Statement.get_or_none(Statement.id == statement_id)
        if row is None:
            raise StoreRefused(f"no statement {statement_id}")
        if len(row.content) <= 2:
            raise StoreRefused(
                f"statement {statement_id} was recorded without its printed content "
                "(sample or imported data): it cannot be reprinted"
            )
        try:
            return StatementContent.from_json(row.content)
        except StatementError as error:
            raise StoreRefused(f"statement {statement_id}: {error}") from None

    def reprint(self, statement_id: int) -> bytes:
        """The statement as it was mailed: drawn again from its kept content."""
        from ..pdf.statement import statement_pdf

        content = self.content_of(statement_id)
        session = self._session
        with session.writing():
            patient_id = Statement.select(Statement.patient).where(Statement.id == statement_id)
            session.audit("reprint", "statement", statement_id, patient_id=patient_id.scalar())
        return statement_pdf([content], title=f"Statement {statement_id} (reprint)").data


# --------------------------------------------------------------------------- reading facts


class _NoStatement(Exception):
    """Why one account gets no statement; the run goes on with the others."""


@dataclass(slots=True)
class _Patient:
    account_number: str
    name: str
    lines: tuple[str, ...]
    guarantor: tuple[str, tuple[str, ...]] | None

    def recipient(self) -> Party | None:
        if self.guarantor is not None:
            name, lines = self.guarantor
            return Party(name, lines) if lines else None
        return Party(self.name, self.lines) if self.lines else None


def _address(street1: str, street2: str, city: str, state: str, zip_code: str) -> tuple[str, ...]:
    """The postal lines, or () when the address is not whole enough to mail."""
    if not (street1.strip() and city.strip() and state.strip() and zip_code.strip()):
        return ()
    zip_text = zip_code.strip()
    if len(zip_text) == 9:
        zip_text = f"{zip_text[:5]}-{zip_text[5:]}"
    last = f"{city.strip()}, {state.strip().upper()} {zip_text}"
    return tuple(line.strip() for line in (street1, street2, last) if line.strip())


@dataclass(slots=True)
class _ClaimFacts:
    id: int
    number: str
    dos: dt.date
    root: int
    payer: str
    provider: str


class _Facts:
    """Everything a chunk of accounts' statements need, read in a few queries (raw rows:
    peewee's conversion of every value cost more than the queries)."""

    def __init__(self) -> None:
        self.patients: dict[int, _Patient] = {}
        self.claims: dict[int, list[_ClaimFacts]] = defaultdict(list)
        # claim -> service line (None: the claim as a whole) -> [charge, insurance paid,
        # adjustments, patient paid, insurance delta, patient delta]
        self.sums: dict[int, dict[int | None, list[int]]] = defaultdict(dict)
        self.lines: dict[int, tuple[int, str, int]] = {}  # line id -> (number, code, claim)
        self.items: dict[int, list[AccountItem]] = defaultdict(list)
        self.last_statements: dict[int, LastStatement] = {}
        self.paid_since: dict[int, int] = {}
        self.in_collections: set[int] = set()

    @classmethod
    def read(cls, ids: list[int]) -> _Facts:
        facts = cls()
        facts._patients(ids)
        facts._claims(ids)
        facts._sums(ids)
        facts._account_items(ids)
        facts._last_statements(ids)
        facts.in_collections = _in_collections(ids)
        return facts

    def _patients(self, ids: list[int]) -> None:
        query = (
            Patient.select(
                Patient.id, Patient.account_number, Patient.first_name, Patient.middle_name,
                Patient.last_name, Patient.address1, Patient.address2, Patient.city,
                Patient.state, Patient.zip, Guarantor.id, Guarantor.first_name,
                Guarantor.last_name, Guarantor.address1, Guarantor.address2, Guarantor.city,
                Guarantor.state, Guarantor.zip,
            )
            .join(Guarantor, JOIN.LEFT_OUTER, on=(Guarantor.id == Patient.guarantor))
            .where(among(Patient.id, ids))
        )  # fmt: skip
        for (pid, number, first, middle, last, a1, a2, city, state, zip_code,
             gid, gfirst, glast, ga1, ga2, gcity, gstate, gzip) in database.execute(query):  # fmt: skip
            middle = f" {middle[:1]}." if middle else ""
            guarantor = None
            if gid is not None:
                guarantor = (f"{gfirst} {glast}", _address(ga1, ga2, gcity, gstate, gzip))
            self.patients[pid] = _Patient(
                number, f"{first}{middle} {last}", _address(a1, a2, city, state, zip_code),
                guarantor,
            )  # fmt: skip

    def _claims(self, ids: list[int]) -> None:
        query = (
            Claim.select(
                Claim.id, Claim.patient, Claim.claim_number, Claim.first_dos, Claim.primary_claim,
                Payer.name, Provider.first_name, Provider.last_name, Provider.credential,
            )
            .join(Payer, JOIN.LEFT_OUTER, on=(Payer.id == Claim.payer))
            .switch(Claim)
            .join(Provider, on=(Provider.id == Claim.rendering_provider))
            .where(among(Claim.patient, ids))
        )  # fmt: skip
        parents: dict[int, int | None] = {}
        rows = []
        for cid, pid, number, dos, primary, payer, first, last, credential in database.execute(
            query
        ):
            parents[cid] = primary
            rows.append(
                (cid, pid, number, as_date(dos), payer or "", f"{first} {last} {credential}")
            )
        for cid, pid, number, dos, payer, provider in rows:
            root = cid
            while parents.get(root) is not None:
                root = parents[root]
            self.claims[pid].append(_ClaimFacts(cid, number, dos, root, payer, provider.strip()))

    def _sums(self, ids: list[int]) -> None:
        le = LedgerEntry
        query = (
            le.select(le.claim, le.service_line, le.kind,
                      fn.SUM(le.insurance_delta), fn.SUM(le.patient_delta))
            .where(among(le.patient, ids) & le.claim.is_null(False))
            .group_by(le.claim, le.service_line, le.kind)
        )  # fmt: skip
        line_ids = set()
        for claim, line, kind, insurance, patient in database.execute(query):
            insurance, patient = int(insurance), int(patient)
            sums = self.sums[claim].setdefault(line, [0, 0, 0, 0, 0, 0])
            if kind == EntryKind.PAYMENT:
                sums[1] -= insurance
                sums[3] -= patient
            elif kind == EntryKind.ADJUSTMENT:
                sums[2] -= insurance + patient
            elif kind != EntryKind.TRANSFER:  # charges, and a fee or refund on a visit
                sums[0] += insurance + patient
            sums[4] += insurance
            sums[5] += patient
            if line is not None:
                line_ids.add(line)
        for chunk in chunked(sorted(line_ids)):
            for line_id, number, code, claim in database.execute(
                ServiceLine.select(ServiceLine.id, ServiceLine.line_number, ServiceLine.code,
                                   ServiceLine.claim)
                .where(among(ServiceLine.id, chunk))
            ):  # fmt: skip
                self.lines[line_id] = (abs(number), code, claim)

    def _account_items(self, ids: list[int]) -> None:
        """Entries on no visit, less any entry and its reversal (together they are nothing)."""
        le = LedgerEntry
        query = (
            le.select(le.id, le.patient, le.effective_date, le.kind, le.category,
                      le.patient_delta, le.reverses, le.memo)
            .where(among(le.patient, ids) & le.claim.is_null() & (le.patient_delta != 0))
            .order_by(le.patient, le.id)
        )  # fmt: skip
        entries = list(database.execute(query))
        listed = {entry[0] for entry in entries}
        reversed_ids = {reverses for *_, reverses, _memo in entries if reverses is not None}
        for entry_id, pid, date, kind, category, amount, reverses, _memo in entries:
            if entry_id in reversed_ids or (reverses is not None and reverses in listed):
                continue
            description = _item_description(kind, category, amount, reverses is not None)
            self.items[pid].append(AccountItem(as_date(date), description, int(amount)))

    def _last_statements(self, ids: list[int]) -> None:
        latest: dict[int, tuple] = {}
        for pid, date, cycle, due, created in (
            Statement.select(Statement.patient, Statement.statement_date, Statement.cycle,
                             Statement.amount_due_cents, Statement.created_at)
            .where(among(Statement.patient, ids))
            .order_by(Statement.patient, Statement.statement_date, Statement.id)
            .tuples()
        ):  # fmt: skip
            latest[pid] = (as_date(date), cycle, int(due), created)
        for pid, (date, cycle, due, _created) in latest.items():
            self.last_statements[pid] = LastStatement(date, min(max(cycle, 1), 3), due)
        self.paid_since = paid_since({pid: row[3] for pid, row in latest.items()})

    # ---------------------------------------------------------------- per account

    def visits(self, pid: int, descriptions: dict[str, str]) -> list[StatementVisit]:
        groups: dict[int, list[_ClaimFacts]] = defaultdict(list)
        for claim in self.claims.get(pid, ()):
            groups[claim.root].append(claim)
        visits = []
        for root, claims in groups.items():
            head = next((c for c in claims if c.id == root), claims[0])
            totals = [0] * 6
            lines = []
            for claim in claims:
                for line_id, sums in self.sums.get(claim.id, {}).items():
                    totals = [a + b for a, b in zip(totals, sums, strict=True)]
                    if line_id is not None and line_id in self.lines:
                        number, code, _ = self.lines[line_id]
                        lines.append((claim.id, number, code, sums))
            if not any(totals):
                continue
            lines.sort(key=lambda item: (item[0], item[1]))
            visits.append(
                StatementVisit(
                    claim_number=head.number,
                    dos=head.dos,
                    provider=head.provider,
                    payer=head.payer,
                    lines=tuple(
                        StatementLine(code, descriptions.get(code, "Service"), s[0], s[1], s[2])
                        for _, _, code, s in lines
                        if s[0] or s[1] or s[2]
                    ),
                    charge=totals[0],
                    insurance_paid=totals[1],
                    adjustments=totals[2],
                    patient_paid=totals[3],
                    insurance_pending=totals[4],
                    patient_owes=totals[5],
                )
            )
        visits.sort(key=lambda v: (v.dos, v.claim_number))
        return visits

    def account_items(self, pid: int) -> list[AccountItem]:
        return self.items.get(pid, [])


def paid_since(stamps: dict[int, dt.datetime]) -> dict[int, int]:
    """Patient money received on each account since a moment (its last statement was
    made): payments posted after it, net of their reversals, as positive cents.

    One query a chunk: the accounts' payment entries since the earliest of their
    moments, each kept if it came after its own account's."""
    paid: dict[int, int] = {}
    for chunk in chunked(sorted(stamps), CHUNK):
        since = min(stamps[pid] for pid in chunk)
        for pid, posted_at, delta in (
            LedgerEntry.select(LedgerEntry.patient, LedgerEntry.posted_at,
                               LedgerEntry.patient_delta)
            .where(among(LedgerEntry.patient, chunk)
                   & (LedgerEntry.kind == EntryKind.PAYMENT.value)
                   & (LedgerEntry.posted_at > since))
            .tuples()
        ):  # fmt: skip
            if posted_at > stamps[pid]:
                paid[pid] = paid.get(pid, 0) - delta
    return paid


def _item_description(kind: str, category: str, amount: int, is_reversal: bool) -> str:
    if is_reversal:
        return "Correction of an earlier entry"
    if kind == EntryKind.LATE_FEE:
        return "Late fee"
    if kind == EntryKind.PAYMENT:
        return "Payment received (credit on your account)" if amount < 0 else "Payment returned"
    if kind == EntryKind.REFUND:
        return "Refund of your credit"
    if kind == EntryKind.ADJUSTMENT:
        try:
            label = Category(category).label
        except ValueError:
            label = "adjustment"
        return "Late fee waived" if category == Category.WAIVER else label[:1].upper() + label[1:]
    return kind.replace("_", " ").capitalize()


def _in_collections(ids: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunked(ids, CHUNK):
        found.update(
            pid
            for (pid,) in CollectionPlacement.select(CollectionPlacement.patient)
            .where(among(CollectionPlacement.patient, chunk)
                   & CollectionPlacement.recalled_at.is_null())
            .tuples()
        )  # fmt: skip
    return found


def _practice() -> Party:
    practice = BillingProvider.select().order_by(BillingProvider.id).first()
    if practice is None:
        raise StoreRefused("the practice (billing provider) is not set up: statements need it")
    lines = _address(practice.address1, practice.address2, practice.city, practice.state,
                     practice.zip)  # fmt: skip
    return Party(practice.name, lines, format_phone(practice.phone))


def format_phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def _how_to_pay(practice: Party) -> tuple[str, ...]:
    lines = []
    if practice.phone:
        lines.append(f"By phone: call {practice.phone} to pay by card.")
    lines.append(f"By mail: send a check payable to {practice.name} with the stub below.")
    lines.append("In person: at the front desk, by cash, check or card.")
    if practice.phone:
        lines.append(f"Questions about this bill, or a payment plan? Call {practice.phone}.")
    return tuple(lines)


def _nothing_to_print(held: list[Held]) -> StoreRefused:
    reasons = "; ".join(f"{h.account_number}: {h.reason}" for h in held[:3])
    return StoreRefused(
        "no statement to print" + (f" ({reasons})" if reasons else ": no account is due one")
    )


def _check_writable(out_dir: Path) -> None:
    if not out_dir.exists():
        raise StoreRefused(f"{out_dir} does not exist; nothing printed")
    if not out_dir.is_dir():
        raise StoreRefused(f"{out_dir} is not a directory; nothing printed")
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise StoreRefused(f"cannot write in {out_dir}; nothing printed")
