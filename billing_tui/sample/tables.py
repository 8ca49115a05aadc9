"""The columns of each table the sample practice fills, in the order its row tuples carry them.

Rows are plain tuples in the stored form (dates 'YYYY-MM-DD', timestamps
'YYYY-MM-DD HH:MM:SS', booleans 0/1) so that they go to the database without
a model instance per row; a test reads them back through the models.
"""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    # Reference tables, written once.
    "app_user": ("id", "username", "name", "role", "password_hash", "active", "failed_logins",
                 "locked_until", "created_at", "os_login"),
    "billing_provider": ("id", "name", "npi", "ein", "taxonomy", "address1", "address2", "city",
                         "state", "zip", "phone"),
    "provider": ("id", "first_name", "last_name", "credential", "npi", "taxonomy",
                 "supervising_id", "active"),
    "referring_provider": ("id", "first_name", "last_name", "npi"),
    "payer": ("id", "name", "payer_code", "kind", "timely_filing_days", "address1", "address2",
              "city", "state", "zip", "phone"),
    "fee_schedule": ("id", "code", "modifier", "description", "charge_cents"),
    # Per chunk of accounts, parents before children.
    "guarantor": ("id", "first_name", "last_name", "relationship", "dob", "address1", "address2",
                  "city", "state", "zip", "phone", "email"),
    "patient": ("id", "account_number", "first_name", "middle_name", "last_name", "dob", "sex",
                "ssn", "address1", "address2", "city", "state", "zip", "phone", "email",
                "contact_preference", "guarantor_id", "search_last", "search_first",
                "created_at", "version"),
    "coverage": ("id", "patient_id", "priority", "payer_id", "member_id", "group_number",
                 "relationship", "subscriber_first", "subscriber_last", "subscriber_dob",
                 "subscriber_sex", "subscriber_address1", "subscriber_city", "subscriber_state",
                 "subscriber_zip", "start_date", "end_date", "copay_cents", "deductible_cents",
                 "deductible_met_cents", "coinsurance_bp", "oop_max_cents", "verified_at",
                 "verified_by_id", "verified_how", "verification_result", "active"),
    "payment_batch": ("id", "kind", "payer_id", "method", "check_number", "deposit_date",
                      "control_total_cents", "posted_total_cents", "status", "remittance_id",
                      "created_at", "created_by_id", "closed_at", "version"),
    "claim": ("id", "claim_number", "patient_id", "coverage_id", "payer_id",
              "billing_provider_id", "rendering_provider_id", "supervising_provider_id",
              "referring_provider_id", "place_of_service", "frequency", "original_claim_number",
              "payer_claim_number", "prior_authorization", "status", "first_dos", "last_dos",
              "charge_cents", "insurance_balance_cents", "patient_balance_cents", "created_at",
              "created_by_id", "submitted_at", "version"),
    "claim_status_change": ("id", "claim_id", "from_status", "to_status", "at", "user_id",
                            "reason"),
    "claim_diagnosis": ("id", "claim_id", "position", "code"),
    "service_line": ("id", "claim_id", "line_number", "dos_from", "dos_to", "code", "modifier1",
                     "modifier2", "modifier3", "modifier4", "pointer1", "pointer2", "pointer3",
                     "pointer4", "units", "charge_cents", "line_control_number", "ndc"),
    "payment": ("id", "batch_id", "patient_id", "payer_id", "method", "amount_cents",
                "check_number", "card_brand", "card_last4", "auth_code", "received_date", "memo",
                "created_at", "created_by_id"),
    "ledger_entry": ("id", "patient_id", "claim_id", "service_line_id", "payment_id", "batch_id",
                     "kind", "insurance_delta", "patient_delta", "effective_date", "posted_at",
                     "user_id", "reverses_id", "group_code", "reason_code", "remark_codes",
                     "memo"),
    "note": ("id", "patient_id", "kind", "direction", "outcome", "text", "follow_up",
             "assignee_id", "follow_up_done_at", "created_at", "created_by_id"),
    "statement": ("id", "patient_id", "statement_date", "cycle", "amount_due_cents", "due_date",
                  "content", "created_at", "created_by_id", "balance_cents"),
    "account_summary": ("patient_id", "insurance_balance_cents", "patient_balance_cents",
                        "oldest_open_dos", "priority_key", "last_payment_date", "next_follow_up",
                        "last_statement_date", "denied_claims", "primary_payer_id",
                        "primary_verified", "primary_ends"),
}  # fmt: skip

REFERENCE_TABLES = ("app_user", "billing_provider", "provider", "referring_provider", "payer",
                    "fee_schedule")  # fmt: skip
CHUNK_TABLES = tuple(table for table in COLUMNS if table not in REFERENCE_TABLES)
BULK_TABLES = tuple(table for table in CHUNK_TABLES if table != "payment_batch")
"""Tables that grow with the number of accounts: their indexes are rebuilt after the load."""
