"""One sample claim from visit to money: lines, diagnoses, status history, charges, remittance, patient payment.

Called once per claim from the chunk builder's hot loop, so it draws from
precomputed tables with `int(random() * n)` and appends plain tuples. Dates are
day numbers (the builder's index into its list of ISO dates); a ledger entry
is a small list that the builder sorts by posting day before it gets its id.
"""

from __future__ import annotations

from ..domain.claims import claim_number
from .reference import COVERAGE_ENDED, DENIALS, REJECTIONS

# Lifecycle paths a claim can take (which statuses it passes through).
DRAFT, VOID_DRAFT, READY, SUBMITTED, ACCEPTED, REJECTED, VOID_BILLED = range(7)
PAID, PARTIAL, DENIED, APPEALED = range(7, 11)
ADJUDICATED = (PAID, PARTIAL, DENIED, APPEALED)
OFFICE, TELEHEALTH, PREVENTIVE, BEHAVIORAL = range(4)
CHILD, ADULT, SENIOR = range(3)  # the account's age group

# Fields of a pending ledger entry (a list, so that the builder can put its id in place of the key).
KEY, CLAIM, LINE, PAYMENT, BATCH, KIND, INS, PAT, EFFECTIVE, POSTED, USER, REVERSES = range(12)
GROUP, REASON, MEMO, REVERSED = range(12, 16)

PR_MEMO = {"1": "Deductible", "2": "Coinsurance", "3": "Copay"}
DENIAL_ACTIONS = (
    "Reviewing the records for an appeal.",
    "Corrected claim to follow.",
    "Called the payer; reprocessing requested.",
    "Waiting on the chart notes from the provider.",
)


def weighted(*pairs) -> tuple:
    """A lookup table in which each value appears as often as its weight: pick with t[int(r() * len(t))]."""
    return tuple(value for value, weight in pairs for _ in range(weight))


NEW_EM = weighted(("99202", 10), ("99203", 45), ("99204", 35), ("99205", 10))
EST_EM = weighted(("99211", 3), ("99212", 15), ("99213", 45), ("99214", 30), ("99215", 7))
TELE_EM = weighted(("99212", 15), ("99213", 50), ("99214", 30), ("99215", 5))
THERAPY = weighted(("90832", 20), ("90834", 50), ("90837", 30))
LAB_PANELS = ("80053", "85025", "83036", "80061", "84443", "80048")
POINT_OF_CARE = ("81002", "87880", "93000", "82947")
CARD_BRANDS = weighted(("Visa", 50), ("Mastercard", 30), ("Amex", 12), ("Discover", 8))
PAY_METHODS = weighted(("card", 50), ("check", 25), ("cash", 25))


def add_claim(b, a, seq: int, days_ago: int) -> None:
    """Generate claim number `seq` of account `a`, its visit `days_ago` days before as_of."""
    r = b.random
    today = b.today
    t_dos = today - days_ago
    b.claim_id += 1
    cid = b.claim_id
    number = claim_number(a.number, seq)
    user = a.user

    # ------------------------------------------------------------------ the visit
    visit = b.visits[a.kind][int(r() * 100)]
    pos = "11"
    modifier = ""
    supervising = None
    if visit == BEHAVIORAL:
        provider = b.lcsw
        codes = [THERAPY[int(r() * 100)] if a.seen_therapist else "90791"]
        a.seen_therapist = True
        if r() < 0.35:
            pos, modifier = ("10", "95") if r() < 0.7 else ("02", "95")
        if r() < 0.2:
            codes.append("96127")
        dx = b.dx_behavioral
        diagnoses = [dx[int(r() * len(dx))]]
        if r() < 0.3:
            diagnoses.append(dx[int(r() * len(dx))])
    else:
        if visit == PREVENTIVE:
            provider = b.preventive_providers[int(r() * len(b.preventive_providers))]
            codes = [_preventive_code(a, seq, r)]
            diagnoses = [a.preventive_dx[int(r() * 4)]]
            if a.kind == CHILD:
                if r() < 0.3:
                    diagnoses.append("Z23")
            elif r() < 0.6:
                diagnoses.append(b.dx_chronic[int(r() * len(b.dx_chronic))])
            labs = 0.55
        else:
            provider = b.office_providers[int(r() * 100)]
            if visit == TELEHEALTH:
                codes = [TELE_EM[int(r() * 100)]]
                pos, modifier = ("10", "95") if r() < 0.65 else ("02", "95")
                labs = 0.0
            else:
                new = seq == 1 and r() < 0.25
                codes = [NEW_EM[int(r() * 100)] if new else EST_EM[int(r() * 100)]]
                labs = 0.3
            pool = b.dx_acute if r() < 0.5 else b.dx_chronic
            diagnoses = [pool[int(r() * len(pool))]]
            if r() < 0.55:
                diagnoses.append(b.dx_chronic[int(r() * len(b.dx_chronic))])
                if r() < 0.3:
                    diagnoses.append(b.dx_chronic[int(r() * len(b.dx_chronic))])
        u = r()
        if u < labs:
            codes.append("36415")
            codes.append(LAB_PANELS[int(r() * 6)])
        elif u < labs + 0.08 and visit == OFFICE:
            codes.append(POINT_OF_CARE[int(r() * 4)])
        if provider == b.np_incident_to and r() < 0.7:
            supervising = b.supervising_md
    if len(diagnoses) > 1:  # a code appears once on a claim
        diagnoses = list(dict.fromkeys(diagnoses))
    for position, code in enumerate(diagnoses, 1):
        b.diagnosis_id += 1
        b.out_diagnosis.append((b.diagnosis_id, cid, position, code))
    n_dx = len(diagnoses)

    # ------------------------------------------------------------------ service lines
    dos = b.days[t_dos]
    fees = b.fees
    lines = []  # (line id, charge, code)
    for n, code in enumerate(codes, 1):
        b.line_id += 1
        charge = fees[code]
        if n == 1:
            pointers = (1, 2 if n_dx > 1 else None, 3 if n_dx > 2 else None)
        else:
            pointers = (n_dx, None, None)
        b.out_line.append(
            (b.line_id, cid, n, dos, dos, code, modifier, "", "", "", *pointers, None, 1, charge,
             f"{number}-{n}", None)
        )  # fmt: skip
        lines.append((b.line_id, charge, code))
    charge_total = sum(line[1] for line in lines)

    # ------------------------------------------------------------------ where it is in its life
    insured = a.coverage is not None
    t_ready = t_dos + (0 if r() < 0.6 else 1 + int(r() * 2))
    t_submit = t_ready + int(r() * 2)
    t_ack = t_submit + 1
    t_adj = t_submit + 12 + int(r() * 30)  # remittance and deposit
    u = r()
    if t_ready > today or u < 0.004:
        path = DRAFT  # just seen, or on hold waiting for information
    elif u < 0.010 and t_dos + 1 <= today:
        path = VOID_DRAFT
    elif t_submit > today:
        path = READY
    elif not insured:
        path = SUBMITTED  # billed to the patient; paid/partial below if the patient pays
    elif t_ack > today:
        path = SUBMITTED
    elif u < 0.025:
        path = VOID_BILLED
    else:
        # Problems (rejections, silence, denials, pended lines) are rarer on old
        # claims: most of them have been worked and paid by now.
        problems = 1.0 if days_ago <= 90 else 0.4
        w = r()
        if w < 0.04 * problems:
            path = REJECTED
        elif t_adj > today:
            path = ACCEPTED if r() < 0.85 else SUBMITTED
        elif w < 0.06 * problems:
            path = ACCEPTED  # the payer has not answered: a claim to chase
        elif a.ends is not None and t_dos > a.ends:
            path = DENIED
        elif w < 0.15 * problems:
            path = APPEALED if t_adj + 14 <= today and r() < 0.25 else DENIED
        elif w < 0.25 * problems:
            path = PARTIAL
        else:
            path = PAID

    # ------------------------------------------------------------------ money
    ins = pat = 0
    pr_start = None  # day the patient began to owe on this claim
    payer = a.payer
    if path not in (DRAFT, VOID_DRAFT):
        charges = []
        for line_id, charge, code in lines:
            if insured:
                charges.append(_post(a, t_ready, cid, line_id, None, None, "charge", charge, 0,
                                     t_dos, user, memo=code))  # fmt: skip
            else:
                charges.append(_post(a, t_ready, cid, line_id, None, None, "charge", 0, charge,
                                     t_dos, user, memo=code))  # fmt: skip
        if insured:
            ins = charge_total
        else:
            pat = charge_total
            pr_start = t_ready
            if r() < 0.35:
                discount = charge_total // 5
                _post(a, t_ready, cid, None, None, None, "adjustment", 0, -discount, t_ready,
                      user, memo="Self-pay discount 20%")  # fmt: skip
                pat -= discount
        if path == VOID_BILLED:
            t_void = min(today, t_ack + 1 + int(r() * 10))
            for original in charges:
                _reverse(a, original, t_void, b.supervisor, "claim voided: billed in error")
            ins = pat = 0
    if path in (PAID, PARTIAL):
        paid_ins, owed = _remittance(b, a, cid, number, lines, t_adj, path == PARTIAL)
        ins -= paid_ins
        pat += owed
        if owed:
            pr_start = t_adj
    patient_paid = 0
    if pat > 0 and pr_start is not None and pr_start + 2 <= today:
        patient_paid, t_paid = _patient_payment(b, a, cid, pat, pr_start + 2)
        pat -= patient_paid
    if pat > 0:
        a.patient_owes_since = min(a.patient_owes_since, pr_start)

    # ------------------------------------------------------------------ status history
    history = b.out_history
    times = b.times
    days = b.days
    created = days[t_dos] + times[cid % 97]
    b.history_id += 1
    history.append((b.history_id, cid, None, "draft", created, user, "created"))
    status = "draft"
    steps = []
    if path == VOID_DRAFT:
        steps.append((t_dos + 1, "voided", "duplicate visit entered in error"))
    elif path != DRAFT:
        steps.append((t_ready, "ready", "scrubbed: no errors"))
        if path != READY:
            if insured:
                steps.append((t_submit, "submitted", "sent in 837P batch"))
            else:
                steps.append((t_submit, "submitted", "billed to the patient (self-pay)"))
            if path == REJECTED:
                steps.append((t_ack, "rejected", REJECTIONS[int(r() * len(REJECTIONS))]))
            elif path == ACCEPTED or (path != SUBMITTED and insured and r() < 0.6):
                steps.append((t_ack, "accepted", "277CA accepted"))
            if path == VOID_BILLED:
                steps.append((t_void, "voided", "billed in error; charges reversed"))
            elif path == PAID or path == PARTIAL:
                steps.append((t_adj, "paid" if path == PAID else "partial", "ERA posted"))
            elif path == DENIED or path == APPEALED:
                denial = (
                    COVERAGE_ENDED
                    if a.ends is not None and t_dos > a.ends
                    else DENIALS[int(r() * len(DENIALS))]
                )
                reason = f"{denial[0]}-{denial[1]}: {denial[2]}"
                steps.append((t_adj, "denied", reason))
                if path == APPEALED:
                    steps.append((t_adj + 14, "appealed", "appeal sent with records"))
                else:
                    a.denied += 1
                if r() < 0.7:
                    t_note = min(today, t_adj + 1 + int(r() * 4))
                    action = DENIAL_ACTIONS[int(r() * len(DENIAL_ACTIONS))]
                    text = f"Claim {number} denied {reason}. {action}"
                    a.notes.append((t_note, "note", "", "denial review", text, t_note + 14))
            elif path == SUBMITTED and not insured and patient_paid:
                steps.append((t_paid, "paid" if pat <= 0 else "partial", "patient payment"))
    for t, to_status, reason in steps:
        b.history_id += 1
        history.append((b.history_id, cid, status, to_status, days[t] + times[(cid + t) % 97],
                        user, reason))  # fmt: skip
        status = to_status

    # ------------------------------------------------------------------ the claim row
    submitted_at = None if path in (DRAFT, VOID_DRAFT, READY) else days[t_submit] + times[cid % 89]
    adjudicated = path in ADJUDICATED
    referring = b.referring[int(r() * len(b.referring))] if r() < 0.12 else None
    prior_auth = f"PA{int(r() * 10_000_000):07d}" if visit == BEHAVIORAL and r() < 0.3 else None
    b.out_claim.append(
        (cid, number, a.pid, a.coverage, payer, b.billing_provider, provider, supervising,
         referring, pos, "1", None, f"{payer:02d}{cid:011d}" if adjudicated else None, prior_auth,
         status, dos, dos, charge_total, ins, pat, created, user, submitted_at, len(steps) + 1)
    )  # fmt: skip
    a.insurance += ins
    a.patient += pat
    if ins + pat > 0 and t_dos < a.oldest_open:
        a.oldest_open = t_dos


def _preventive_code(a, seq: int, r) -> str:
    if a.medicare:
        return "G0438" if seq == 1 else "G0439"
    return ("9938" if seq == 1 and r() < 0.3 else "9939") + a.preventive_band


def _post(a, t_post, claim, line, payment, batch, kind, ins, pat, t_eff, user, group="",
          reason="", memo=""):  # fmt: skip
    """Queue a ledger entry for the account; ordered by (posting day, order of posting)."""
    entry = [t_post * 1024 + len(a.entries), claim, line, payment, batch, kind, ins, pat, t_eff,
             t_post, user, None, group, reason, memo, False]  # fmt: skip
    a.entries.append(entry)
    return entry


def _reverse(a, original: list, t: int, user: int, reason: str) -> None:
    entry = _post(a, t, original[CLAIM], original[LINE], original[PAYMENT], original[BATCH],
                  original[KIND], -original[INS], -original[PAT], t, user, original[GROUP],
                  original[REASON], f"Reversal: {reason}")  # fmt: skip
    entry[REVERSES] = original
    original[REVERSED] = True


def _remittance(b, a, cid: int, number: str, lines, t: int, partial: bool) -> tuple[int, int]:
    """Post the payer's answer per line: payment, CO-45 write-down, PR to the patient.

    Returns (what left the insurance balance, what moved to the patient). On a
    partially paid claim the last line (or half of a single line) stays open.
    """
    r = b.random
    pct = a.allowed_percent
    deductible = a.deductible_left > 0 and r() < 0.25
    answers = []
    last = len(lines) - 1
    for index, (line_id, charge, code) in enumerate(lines):
        if partial and index == last and last > 0:
            break  # pended by the payer: stays on the insurance balance
        allowed = charge * pct // 100
        pr = 0
        reason = ""
        if code not in b.preventive_codes:
            if index == 0 and a.copay:
                pr, reason = min(a.copay, allowed), "3"
            elif index == 0 and deductible:
                pr, reason = allowed, "1"
            elif a.coinsurance:
                pr, reason = allowed * a.coinsurance // 10_000, "2"
        paid = allowed - pr
        if partial and last == 0:
            paid //= 2
        answers.append((line_id, paid, charge - allowed, pr, reason))
    amount = sum(answer[1] for answer in answers)
    batch = b.batch(a.payer, t, amount)
    payment_id = None
    if amount:
        b.payment_id += 1
        payment_id = b.payment_id
        b.out_payment.append(
            (payment_id, batch[0], a.pid, a.payer, batch[2], amount, batch[3], "", "", "",
             b.days[t], number, b.days[t] + b.times[cid % 97], a.user)
        )  # fmt: skip
    user = a.user
    memo = batch[4]
    left = moved = 0
    for line_id, paid, write_down, pr, reason in answers:
        if paid:
            _post(a, t, cid, line_id, payment_id, batch[0], "payment", -paid, 0, t, user,
                  memo=memo)  # fmt: skip
        if write_down:
            _post(a, t, cid, line_id, payment_id, batch[0], "adjustment", -write_down, 0, t,
                  user, "CO", "45", "Contractual adjustment")  # fmt: skip
        if pr:
            _post(a, t, cid, line_id, payment_id, batch[0], "transfer", -pr, pr, t, user, "PR",
                  reason, PR_MEMO[reason])  # fmt: skip
        left += paid + write_down + pr
        moved += pr
    return left, moved


def _patient_payment(b, a, cid: int, owed: int, earliest: int) -> tuple[int, int]:
    """Maybe the patient pays (all, part, or a little too much); returns (net amount paid, day)."""
    r = b.random
    v = r()
    t = earliest + int(r() * 60)
    if v >= 0.84 or t > b.today:
        return 0, t
    if v < 0.72:
        amount = owed
        if r() < 0.03:
            amount += 500 + int(r() * 20) * 100  # paid twice / rounded up: a credit balance
    else:
        amount = owed * (20 + int(r() * 50)) // 100
        if amount >= 100:
            amount -= amount % 100  # people pay round dollars
        amount = max(amount, 1)
    method = PAY_METHODS[int(r() * 100)]
    check = brand = last4 = auth = ""
    if method == "card":
        brand = CARD_BRANDS[int(r() * 100)]
        last4 = f"{int(r() * 10_000):04d}"
        auth = f"{int(r() * 0xFFFFFF):06X}"
    elif method == "check":
        check = str(1001 + int(r() * 8998))
    batch = b.batch(0, t, amount)
    b.payment_id += 1
    payment_id = b.payment_id
    days = b.days
    b.out_payment.append(
        (payment_id, batch[0], a.pid, None, method, amount, check, brand, last4, auth, days[t], "",
         days[t] + b.times[(cid + 7) % 97], a.user)
    )  # fmt: skip
    entry = _post(a, t, cid, None, payment_id, batch[0], "payment", 0, -amount, t, a.user,
                  memo=f"Patient payment ({method})")  # fmt: skip
    if method == "check" and r() < 0.04 and t + 5 <= b.today:
        _reverse(a, entry, min(b.today, t + 5 + int(r() * 5)), b.supervisor,
                 "returned check (NSF)")  # fmt: skip
        return 0, t
    return amount, t
