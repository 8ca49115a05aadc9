"""What the Store hands to screens and the CLI, and takes from them: plain, frozen dataclasses.

Each class lives in a submodule by what it serves (queue, account, claims,
drafts, verify) and is imported from here on first use: creating dataclasses costs
about a millisecond each, and start-up needs only the queue's.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .account import (
        AccountView,
        ClaimRow,
        CoverageRecord,
        GuarantorRecord,
        LedgerLine,
        NoteRecord,
        PatientRecord,
    )
    from .claims import (
        Address,
        BillingProviderRecord,
        ClaimChoices,
        ClaimDetail,
        ClaimLine,
        CoverageDetail,
        FeeRecord,
        LineAdjudication,
        PayerDetail,
        PriorPayer,
        ProviderRecord,
        ReferringRecord,
        StatusChangeRecord,
    )
    from .drafts import ClaimDraft, CoverageDraft, EntryDraft, LineDraft, PatientDraft
    from .posting import (
        AppliedTo,
        BatchDraft,
        BatchView,
        ClaimToPost,
        EobPosting,
        EraClaimOutcome,
        EraImportResult,
        EraPaymentOutcome,
        LinePosting,
        PatientPaymentDraft,
        PaymentRecord,
        PostingLine,
        WorkItemRow,
    )
    from .queue import PayerRecord, QueueCursor, QueuePage, QueueRow
    from .verify import VerifyReport, Violation

_HOME = {
    "Address": "claims",
    "BillingProviderRecord": "claims",
    "ProviderRecord": "claims",
    "ReferringRecord": "claims",
    "PayerDetail": "claims",
    "CoverageDetail": "claims",
    "ClaimLine": "claims",
    "LineAdjudication": "claims",
    "PriorPayer": "claims",
    "StatusChangeRecord": "claims",
    "ClaimDetail": "claims",
    "FeeRecord": "claims",
    "ClaimChoices": "claims",
    "PayerRecord": "queue",
    "QueueRow": "queue",
    "QueueCursor": "queue",
    "QueuePage": "queue",
    "GuarantorRecord": "account",
    "PatientRecord": "account",
    "CoverageRecord": "account",
    "LedgerLine": "account",
    "ClaimRow": "account",
    "NoteRecord": "account",
    "AccountView": "account",
    "EntryDraft": "drafts",
    "LineDraft": "drafts",
    "ClaimDraft": "drafts",
    "PatientDraft": "drafts",
    "CoverageDraft": "drafts",
    "Violation": "verify",
    "BatchDraft": "posting",
    "BatchView": "posting",
    "PostingLine": "posting",
    "ClaimToPost": "posting",
    "LinePosting": "posting",
    "EobPosting": "posting",
    "PatientPaymentDraft": "posting",
    "AppliedTo": "posting",
    "PaymentRecord": "posting",
    "WorkItemRow": "posting",
    "EraClaimOutcome": "posting",
    "EraPaymentOutcome": "posting",
    "EraImportResult": "posting",
    "VerifyReport": "verify",
}

__all__ = [
    "BatchDraft",
    "BatchView",
    "PostingLine",
    "ClaimToPost",
    "LinePosting",
    "EobPosting",
    "PatientPaymentDraft",
    "AppliedTo",
    "PaymentRecord",
    "WorkItemRow",
    "EraClaimOutcome",
    "EraPaymentOutcome",
    "EraImportResult",
    "AccountView",
    "Address",
    "BillingProviderRecord",
    "ClaimChoices",
    "ClaimDetail",
    "ClaimDraft",
    "ClaimLine",
    "ClaimRow",
    "CoverageDetail",
    "CoverageDraft",
    "CoverageRecord",
    "EntryDraft",
    "FeeRecord",
    "GuarantorRecord",
    "LedgerLine",
    "LineAdjudication",
    "LineDraft",
    "NoteRecord",
    "PatientDraft",
    "PatientRecord",
    "PayerDetail",
    "PayerRecord",
    "PriorPayer",
    "ProviderRecord",
    "QueueCursor",
    "QueuePage",
    "QueueRow",
    "ReferringRecord",
    "StatusChangeRecord",
    "VerifyReport",
    "Violation",
]


def __getattr__(name: str):
    try:
        module = _HOME[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
