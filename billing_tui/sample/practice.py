"""Builds the sample practice's accounts a chunk at a time: people, coverages, claims, notes and summaries.

Each chunk of CHUNK accounts draws from its own random stream, seeded by
(seed, chunk number), and takes the next ids of every table in order, so the
output depends only on (accounts, seed, as_of), never on who builds it. Every
cached total (claim balances, the account summary) is computed here from the
rows as they are made, exactly as billing_tui.store.cache recomputes it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from operator import itemgetter

from ..domain.queue import priority_key
from ..domain.search import search_key
from . import names, reference
from .claims import (
    ADULT,
    BEHAVIORAL,
    CHILD,
    EFFECTIVE,
    KIND,
    OFFICE,
    PREVENTIVE,
    REVERSED,
    REVERSES,
    SENIOR,
    TELEHEALTH,
    add_claim,
    weighted,
)
from .tables import CHUNK_TABLES

CHUNK = 10_000
PAST_DAYS = 40_000  # day numbers reach back beyond the oldest date of birth
FUTURE_DAYS = 400
NEVER = 1 << 30  # a day number later than any real one

CLAIM_COUNTS = weighted((0, 10), (1, 45), (2, 28), (3, 11), (4, 4), (5, 2))
VISITS = (
    weighted((OFFICE, 55), (TELEHEALTH, 8), (PREVENTIVE, 30), (BEHAVIORAL, 7)),
    weighted((OFFICE, 55), (TELEHEALTH, 12), (PREVENTIVE, 18), (BEHAVIORAL, 15)),
    weighted((OFFICE, 62), (TELEHEALTH, 8), (PREVENTIVE, 25), (BEHAVIORAL, 5)),
)
PREFERENCES = weighted(("mail", 40), ("phone", 25), ("email", 20), ("text", 15))
VERIFIED_HOW = ("portal", "phone", "270/271")
MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # the letters a Medicare Beneficiary Identifier may use
MBI_ALNUM = MBI_ALPHA + "0123456789"
COLLECTION_OUTCOMES = (
    "left voicemail",
    "promised to pay",
    "no answer",
    "asked for a payment plan",
    "disputes the balance",
)
ACCOUNT_NOTES = (
    ("call", "in", "answered", "Patient called asking what the EOB means; explained the copay."),
    ("call", "in", "updated", "Patient called with a new insurance card; member ID updated."),
    ("email", "out", "sent", "Emailed an itemized statement at the patient's request."),
    ("letter", "out", "sent", "Mailed a request for the secondary insurance information."),
    ("note", "", "", "Address verified against the driver's license at check-in."),
    ("call", "out", "no answer", "Called to confirm coverage before the next visit."),
    ("email", "in", "answered", "Patient asked for a receipt for the HSA; sent."),
    ("note", "", "", "Guarantor asked that statements go to the work address."),
)


@dataclass(frozen=True, slots=True)
class Plan:
    """What every chunk needs; plain values, so that a worker process can build chunks too."""

    seed: int
    as_of: dt.date
    accounts: int
    first_account_number: int
    last_ids: dict[str, int]  # the highest id already in each table
    specialists: tuple[int, ...]
    supervisor: int
    billing_provider: int
    providers: dict[str, int]
    referring: tuple[int, ...]
    payers: dict[str, int]

    @property
    def chunks(self) -> int:
        return -(-self.accounts // CHUNK)


class Account:
    """What the claims of one account need to know, and what they add up to."""

    __slots__ = (
        "pid", "number", "user", "kind", "preventive_dx", "preventive_band", "medicare",
        "coverage", "payer", "allowed_percent", "copay", "coinsurance", "deductible_left", "ends",
        "seen_therapist", "entries", "notes", "insurance", "patient", "oldest_open", "denied",
        "patient_owes_since",
    )  # fmt: skip


class Builder:
    """Makes chunks in order; keeps the running ids and the payment batches between them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.first_day = plan.as_of - dt.timedelta(days=PAST_DAYS)
        self.days = [
            (self.first_day + dt.timedelta(days=k)).isoformat()
            for k in range(PAST_DAYS + FUTURE_DAYS + 1)
        ]
        self.today = PAST_DAYS
        # 97 business-hour times, prime so that (id % 97) spreads them around.
        self.times = tuple(
            f" {8 + k % 10:02d}:{k * 37 % 60:02d}:{k * 13 % 60:02d}" for k in range(97)
        )
        ids = plan.last_ids
        self.patient_base = ids["patient"]
        self.guarantor_id = ids["guarantor"]
        self.coverage_id = ids["coverage"]
        self.payment_batch_id = ids["payment_batch"]
        self.claim_id = ids["claim"]
        self.history_id = ids["claim_status_change"]
        self.diagnosis_id = ids["claim_diagnosis"]
        self.line_id = ids["service_line"]
        self.payment_id = ids["payment"]
        self.ledger_entry_id = ids["ledger_entry"]
        self.note_id = ids["note"]
        self.statement_id = ids["statement"]
        self.batches: dict[int, list] = {}
        self.specialists = plan.specialists
        self.supervisor = plan.supervisor
        self.billing_provider = plan.billing_provider
        providers = plan.providers
        self.lcsw = providers["lcsw"]
        self.np_incident_to = providers["np_inc"]
        self.supervising_md = providers["md_fm"]
        self.office_providers = weighted(
            *((providers[key], weight) for key, weight in (
                ("md_fm", 22), ("md_im", 20), ("do_fm", 18), ("np", 15), ("np_inc", 15),
                ("pa", 10),
            ))
        )  # fmt: skip
        self.preventive_providers = tuple(providers[k] for k in ("md_fm", "md_im", "do_fm", "np"))
        self.referring = plan.referring
        self.payer_specs = {plan.payers[spec.key]: spec for spec in reference.PAYERS}
        self.commercial = weighted(
            (plan.payers["bluewater"], 45), (plan.payers["summit"], 30),
            (plan.payers["evergreen"], 25),
        )  # fmt: skip
        self.medicare_id = plan.payers["medicare"]
        self.medicaid_id = plan.payers["medicaid"]
        self.fees = {code: charge for code, _, _, charge in reference.FEES}
        self.preventive_codes = frozenset(
            code for code, _, _, _ in reference.FEES if code.startswith(("993", "G04"))
        )
        self.visits = VISITS
        self.dx_chronic = reference.DX_CHRONIC
        self.dx_acute = reference.DX_ACUTE
        self.dx_behavioral = reference.DX_BEHAVIORAL
        everyone = names.FEMALE_FIRST + names.MALE_FIRST + names.LAST
        self.search = {name: search_key(name)[:64] for name in everyone}
        self.mailbox = {
            name: key.encode("ascii", "ignore").decode() for name, key in self.search.items()
        }

    # ------------------------------------------------------------------ chunks

    def build(self, index: int) -> dict[str, list[tuple]]:
        """The rows of chunk `index` (accounts index*CHUNK onwards), table by table."""
        plan = self.plan
        self.random = random.Random(f"billing-tui sample {plan.seed} chunk {index}").random
        rows: dict[str, list[tuple]] = {table: [] for table in CHUNK_TABLES}
        self.out_guarantor = rows["guarantor"]
        self.out_patient = rows["patient"]
        self.out_coverage = rows["coverage"]
        self.out_batch = rows["payment_batch"]
        self.out_claim = rows["claim"]
        self.out_history = rows["claim_status_change"]
        self.out_diagnosis = rows["claim_diagnosis"]
        self.out_line = rows["service_line"]
        self.out_payment = rows["payment"]
        self.out_ledger = rows["ledger_entry"]
        self.out_note = rows["note"]
        self.out_statement = rows["statement"]
        self.out_summary = rows["account_summary"]
        first = index * CHUNK
        for i in range(first, min(first + CHUNK, plan.accounts)):
            self._account(i)
        return rows

    def batch_totals(self) -> list[tuple[int, int, int]]:
        """(control total, posted total, batch id) of every batch, once all chunks are built."""
        return [(total, total, batch_id) for batch_id, total, *_ in self.batches.values()]

    def batch(self, payer: int, t: int, amount: int) -> list:
        """The deposit of one payer (0: patients) on day t: [id, total, method, number, memo]."""
        key = payer * 100_000 + t
        found = self.batches.get(key)
        if found is None:
            self.payment_batch_id += 1
            batch_id = self.payment_batch_id
            day = self.days[t]
            if payer:
                kind = "insurance"
                if self.payer_specs[payer].eft:
                    method, number = "eft", f"EFT{day.replace('-', '')}{payer:03d}"
                else:
                    method, number = "check", str(600_000 + batch_id)
                memo = f"ERA {number}"
            else:
                kind, method, number, memo = "patient", "mixed", "", ""
            closed = day + " 17:30:00" if t < self.today else None
            self.out_batch.append(
                (batch_id, kind, payer or None, method, number, day, 0, 0,
                 "closed" if closed else "open", None, day + self.times[batch_id % 97],
                 self.supervisor, closed, 1)
            )  # fmt: skip
            found = self.batches[key] = [batch_id, 0, method, number, memo]
        found[1] += amount
        return found

    # ------------------------------------------------------------------ one account

    def _account(self, i: int) -> None:
        r = self.random
        today = self.today
        days = self.days
        a = Account()
        a.pid = pid = self.patient_base + i + 1
        a.number = str(self.plan.first_account_number + i)
        a.user = self.specialists[i % len(self.specialists)]
        u = r()
        if u < 0.19:
            a.kind, age = CHILD, int(r() * 6574)
        elif u < 0.79:
            a.kind, age = ADULT, 6575 + int(r() * 17166)
        else:
            a.kind, age = SENIOR, 23741 + int(r() * 10958)
        t_dob = today - age
        years = age * 4 // 1461
        a.preventive_band = (
            "1" if years < 1 else "2" if years < 5 else "3" if years < 12 else
            "4" if years < 18 else "5" if years < 40 else "6" if years < 65 else "7"
        )  # fmt: skip
        a.preventive_dx = (
            reference.DX_PREVENTIVE_CHILD if a.kind == CHILD else reference.DX_PREVENTIVE_ADULT
        )
        female = r() < 0.52
        firsts = names.FEMALE_FIRST if female else names.MALE_FIRST
        first = firsts[int(r() * len(firsts))]
        last = names.LAST[int(r() * len(names.LAST))]
        middle = names.MIDDLE_INITIALS[int(r() * 21)] if r() < 0.35 else ""
        city, state, zip3, area = names.CITIES[int(r() * len(names.CITIES))]
        zip_code = f"{zip3}{int(r() * 100):02d}"
        address1 = (
            f"{1 + int(r() * 9899)} {names.STREETS[int(r() * len(names.STREETS))]} "
            f"{names.STREET_SUFFIXES[int(r() * len(names.STREET_SUFFIXES))]}"
        )
        address2 = names.UNITS[int(r() * len(names.UNITS))] if r() < 0.15 else ""
        phone = f"{area}55501{int(r() * 100):02d}"
        mailbox = self.mailbox
        email = ""
        if a.kind != CHILD and r() < 0.7:
            email = f"{mailbox[first]}.{mailbox[last]}{int(r() * 100)}@{names.EMAIL_DOMAIN}"
        preference = PREFERENCES[int(r() * 100)]
        if preference == "email" and not email:
            preference = "mail"

        guarantor_id = None
        guarantor = None
        if a.kind == CHILD or r() < 0.03:
            self.guarantor_id += 1
            guarantor_id = self.guarantor_id
            g_female = r() < 0.6
            g_firsts = names.FEMALE_FIRST if g_female else names.MALE_FIRST
            g_first = g_firsts[int(r() * len(g_firsts))]
            g_last = last if r() < 0.85 else names.LAST[int(r() * len(names.LAST))]
            if a.kind == CHILD:
                relationship, t_gdob = "parent", t_dob - 7300 - int(r() * 7300)
            else:
                relationship, t_gdob = "spouse", min(t_dob - 1500 + int(r() * 3000), today - 6575)
            g_email = ""
            if r() < 0.75:
                g_mailbox = f"{mailbox[g_first]}.{mailbox[g_last]}{int(r() * 100)}"
                g_email = f"{g_mailbox}@{names.EMAIL_DOMAIN}"
            self.out_guarantor.append(
                (guarantor_id, g_first, g_last, relationship, days[t_gdob], address1, address2,
                 city, state, zip_code, phone, g_email)
            )  # fmt: skip
            guarantor = (g_first, g_last, t_gdob, "F" if g_female else "M")

        # Visits, oldest first, never before birth.
        n_claims = CLAIM_COUNTS[int(r() * 100)]
        span = min(age, 400)
        offsets = sorted((int(span * r() ** 1.25) for _ in range(n_claims)), reverse=True)
        t_first = today - offsets[0] if offsets else today - int(r() * 700)

        me = (first, last, t_dob, "F" if female else "M", address1, city, state, zip_code)
        primary = self._coverages(a, t_dob, t_first, guarantor, me)

        a.entries = []
        a.notes = []
        a.insurance = a.patient = a.denied = 0
        a.oldest_open = a.patient_owes_since = NEVER
        a.seen_therapist = False
        for seq, days_ago in enumerate(offsets, 1):
            add_claim(self, a, seq, days_ago)

        last_payment = self._ledger(a)
        last_statement = self._statements(a)
        if r() < 0.07:
            kind, direction, outcome, text = ACCOUNT_NOTES[int(r() * len(ACCOUNT_NOTES))]
            t_note = today - int(r() * 300)
            follow_up = t_note + 7 + int(r() * 40) if r() < 0.35 else None
            a.notes.append((t_note, kind, direction, outcome, text, follow_up))
        next_follow_up = self._notes(a)

        created = max(t_dob, t_first - int(r() * 30))
        self.out_patient.append(
            (pid, a.number, first, middle, last, days[t_dob], "F" if female else "M", None,
             address1, address2, city, state, zip_code, phone, email, preference, guarantor_id,
             self.search[last], self.search[first], days[created] + self.times[pid % 97], 1)
        )  # fmt: skip
        oldest = a.oldest_open if a.oldest_open != NEVER else None
        key = priority_key(
            a.insurance + a.patient,
            None if oldest is None else self.first_day + dt.timedelta(days=oldest),
        )
        self.out_summary.append(
            (pid, a.insurance, a.patient, None if oldest is None else days[oldest], key,
             None if last_payment is None else days[last_payment],
             None if next_follow_up is None else days[next_follow_up],
             None if last_statement is None else days[last_statement], a.denied, *primary)
        )  # fmt: skip

    def _coverages(self, a, t_dob, t_first, guarantor, me) -> tuple:
        """Insert the account's coverages; returns the summary's (primary payer, verified, ends)."""
        r = self.random
        today = self.today
        a.coverage = a.payer = a.ends = None
        a.allowed_percent = a.copay = a.coinsurance = a.deductible_left = 0
        a.medicare = False
        v = r()
        if a.kind == SENIOR:
            payer = self.medicare_id if v < 0.9 else self._commercial() if v < 0.96 else None
        elif a.kind == CHILD:
            payer = self.medicaid_id if v < 0.42 else self._commercial() if v < 0.94 else None
        else:
            payer = self._commercial() if v < 0.7 else self.medicaid_id if v < 0.86 else None
        if payer is None:
            return (None, None, None)  # self-pay: claims go to the patient
        t_start = max(t_dob, t_first - 30 - int(r() * 1500))
        t_end = None
        if r() < 0.05:
            candidate = today - 5 - int(r() * 150)
            if candidate > t_start + 30:
                t_end = candidate
        if r() < 0.04 and t_start - 400 > t_dob:  # an earlier plan, since replaced
            old = self.medicaid_id if payer != self.medicaid_id else self._commercial()
            self._coverage(a, 1, old, t_start - 400 - int(r() * 900), t_start - 1, False, guarantor,
                           me, verified=False)  # fmt: skip
        verified = self._coverage(a, 1, payer, t_start, t_end, True, guarantor, me, True)
        spec = self.payer_specs[payer]
        a.payer = payer
        a.ends = t_end
        a.medicare = spec.kind == "medicare" and a.kind == SENIOR
        second = None
        if payer == self.medicare_id:
            second = self._commercial() if v < 0.25 else self.medicaid_id if v < 0.31 else None
        elif r() < 0.04:
            second = self._commercial()
        if second is not None and second != payer:
            t_second = min(today, t_start + int(r() * 200))
            self._coverage(a, 2, second, t_second, None, True, guarantor, me, r() < 0.5)
        days = self.days
        return (
            payer,
            None if verified is None else days[verified],
            None if t_end is None else days[t_end],
        )

    def _commercial(self) -> int:
        return self.commercial[int(self.random() * 100)]

    def _coverage(self, a, priority, payer, t_start, t_end, active, guarantor, me, verified):
        """One coverage row; the primary's terms go on the account. Returns the verification day.

        `me` is the patient (first, last, dob, sex, address1, city, state, zip): the
        subscriber unless a parent or spouse holds the plan.
        """
        r = self.random
        today = self.today
        days = self.days
        spec = self.payer_specs[payer]
        copay = spec.copays[int(r() * len(spec.copays))]
        coinsurance = spec.coinsurance_bp[int(r() * len(spec.coinsurance_bp))]
        deductible = spec.deductibles[int(r() * len(spec.deductibles))]
        met = deductible * int(r() * 101) // 10_000 * 100
        oop_max = 0 if spec.kind != "commercial" else (600_000, 800_000, 900_000)[int(r() * 3)]
        if spec.kind == "medicare":
            member = "".join(
                (
                    str(1 + int(r() * 9)),
                    MBI_ALPHA[int(r() * 20)],
                    MBI_ALNUM[int(r() * 30)],
                    str(int(r() * 10)),
                    MBI_ALPHA[int(r() * 20)],
                    MBI_ALNUM[int(r() * 30)],
                    str(int(r() * 10)),
                    MBI_ALPHA[int(r() * 20)],
                    MBI_ALPHA[int(r() * 20)],
                    f"{int(r() * 100):02d}",
                )
            )
        else:
            member = f"{spec.member_prefix}{int(r() * 1_000_000_000):09d}"
        group = f"{10_000 + int(r() * 90_000)}" if spec.kind == "commercial" else ""
        pid = a.pid
        if guarantor is not None and spec.kind == "commercial" and (a.kind == CHILD or r() < 0.5):
            relationship = "19" if a.kind == CHILD else "01"
            sub_first, sub_last, t_sub_dob, sub_sex = guarantor
        else:
            relationship = "18"
            sub_first, sub_last, t_sub_dob, sub_sex = me[:4]
        t_verified = None
        if verified:
            v = r()
            # Most verified within the 30-day window (queue.QueuePolicy), some stale.
            if v < 0.62:
                t_verified = today - int(r() * 30)
            elif v < 0.82:
                t_verified = today - 31 - int(r() * 400)
            if t_verified is not None and t_verified < t_start:
                t_verified = min(t_start, today)
        self.coverage_id += 1
        result = ""
        verified_at = None
        if t_verified is not None:
            verified_at = days[t_verified] + self.times[self.coverage_id % 97]
            if t_end is not None and t_verified > t_end:
                result = f"Inactive: coverage ended {days[t_end]}"
            else:
                result = f"Active; copay ${copay // 100}" if copay else "Active coverage"
        self.out_coverage.append(
            (self.coverage_id, pid, priority, payer, member, group, relationship, sub_first,
             sub_last, None if t_sub_dob is None else days[t_sub_dob], sub_sex, *me[4:],
             days[t_start], None if t_end is None else days[t_end], copay, deductible, met,
             coinsurance, oop_max, verified_at, a.user if verified_at else None,
             VERIFIED_HOW[int(r() * 3)] if verified_at else "", result, 1 if active else 0)
        )  # fmt: skip
        if priority == 1 and active:
            a.coverage = self.coverage_id
            a.allowed_percent = spec.allowed_percent
            a.copay = copay
            a.coinsurance = coinsurance
            a.deductible_left = deductible - met
        return t_verified

    # ------------------------------------------------------------------ the account's history

    def _ledger(self, a) -> int | None:
        """Write the account's entries in posting order; returns the last (unreversed) payment day."""
        entries = a.entries
        if not entries:
            return None
        entries.sort(key=itemgetter(0))
        days = self.days
        times = self.times
        out = self.out_ledger
        pid = a.pid
        last_payment = 0
        entry_id = self.ledger_entry_id
        for e in entries:
            entry_id += 1
            e[0] = entry_id  # the key is spent: it now holds the id that reversals refer to
            reverses = e[REVERSES]
            if reverses is None and e[KIND] == "payment" and not e[REVERSED]:
                last_payment = max(last_payment, e[EFFECTIVE])
            out.append(
                (entry_id, pid, e[1], e[2], e[3], e[4], e[5], e[6], e[7], days[e[8]],
                 days[e[9]] + times[entry_id % 97], e[10], None if reverses is None else reverses[0],
                 e[12], e[13], "", e[14])
            )  # fmt: skip
        self.ledger_entry_id = entry_id
        return last_payment or None

    def _statements(self, a) -> int | None:
        """Monthly statements while the patient owes (most accounts get them); the last one's day."""
        r = self.random
        if a.patient <= 0 or a.patient_owes_since == NEVER or r() >= 0.6:
            return None
        days = self.days
        t = a.patient_owes_since + 5
        last = None
        cycle = 0
        while t <= self.today and cycle < 3:
            cycle += 1
            self.statement_id += 1
            self.out_statement.append(
                (self.statement_id, a.pid, days[t], cycle, a.patient, days[t + 25], "{}",
                 days[t] + self.times[self.statement_id % 97], a.user, a.patient)
            )  # fmt: skip
            last = t
            t += 30
        if cycle >= 2 and r() < 0.6:
            outcome = COLLECTION_OUTCOMES[int(r() * len(COLLECTION_OUTCOMES))]
            t_call = min(self.today, last + 3)
            text = f"Called about the balance of ${a.patient / 100:,.2f}: {outcome}."
            a.notes.append((t_call, "call", "out", outcome, text, t_call + 14))
        return last

    def _notes(self, a) -> int | None:
        """Write the account's notes; past follow-ups are mostly done. Returns the next open one."""
        r = self.random
        today = self.today
        days = self.days
        times = self.times
        next_follow_up = NEVER
        for t, kind, direction, outcome, text, follow_up in a.notes:
            self.note_id += 1
            done = None
            if follow_up is not None:
                # A working office keeps its backlog short: follow-ups more than
                # six weeks past were done; of the recent ones, some are still open.
                if follow_up <= today and (today - follow_up > 42 or r() < 0.4):
                    done = days[min(today, follow_up + int(r() * 3))] + times[self.note_id % 97]
                elif follow_up < next_follow_up:
                    next_follow_up = follow_up
            self.out_note.append(
                (self.note_id, a.pid, kind, direction, outcome, text,
                 None if follow_up is None else days[follow_up],
                 None if follow_up is None else a.user, done, days[t] + times[self.note_id % 97],
                 a.user)
            )  # fmt: skip
        return None if next_follow_up == NEVER else next_follow_up
