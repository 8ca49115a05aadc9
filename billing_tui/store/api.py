"""The Store: the one API the screens and the CLI use. It hands back plain dataclasses."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from peewee import Database

from ..domain.adjustments import FeePolicy
from ..domain.queue import QueuePolicy
from ..domain.statements import StatementPolicy
from .db import connect, migrate, schema_version
from .queue import QueueReader
from .session import Session

if TYPE_CHECKING:
    from .accounts import Accounts
    from .adjustments import Adjustments
    from .audit import AuditTrail
    from .claims import Claims
    from .contacts import Contacts
    from .csv_io import CsvIO
    from .day_close import DayClose
    from .eligibility import Eligibility
    from .inbound import Inbound
    from .ledger import Ledger
    from .plans import Plans
    from .posting import Posting
    from .records import VerifyReport
    from .remittances import Remittances
    from .reports import Reports
    from .statements import Statements
    from .users import Users


def os_username() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "billing"


class Store:
    """Everything the app does to its data, grouped: queue, accounts, claims, ledger."""

    def __init__(
        self,
        db: Database,
        *,
        username: str | None = None,
        today: Callable[[], dt.date] | None = None,
        policy: QueuePolicy = QueuePolicy(),
        statements: StatementPolicy = StatementPolicy(),
        fees: FeePolicy = FeePolicy(),
        enroll: bool = True,
        via: str = "",
    ) -> None:
        self.db = db
        self.policy = policy
        self.statement_policy = statements
        self.fee_policy = fees
        self.session = Session(
            db, username or os_username(), today or dt.date.today, enroll=enroll, via=via
        )
        self.queue = QueueReader(db, self.session.today, policy)

    # The rest is imported on first use: the queue is all that start-up needs.

    @cached_property
    def accounts(self) -> Accounts:
        from .accounts import Accounts

        return Accounts(self.session, self.policy)

    @cached_property
    def claims(self) -> Claims:
        from .claims import Claims

        return Claims(self.session)

    @cached_property
    def eligibility(self) -> Eligibility:
        from .eligibility import Eligibility

        return Eligibility(self.session, self.policy)

    @cached_property
    def ledger(self) -> Ledger:
        from .ledger import Ledger

        return Ledger(self.session)

    @cached_property
    def posting(self) -> Posting:
        from .posting import Posting

        return Posting(self.session)

    @cached_property
    def remittances(self) -> Remittances:
        from .remittances import Remittances

        return Remittances(self.session)

    @cached_property
    def reports(self) -> Reports:
        from .reports import Reports

        return Reports(self.session)

    @cached_property
    def statements(self) -> Statements:
        from .statements import Statements

        return Statements(self.session, self.statement_policy, self.fee_policy, self.policy)

    @cached_property
    def plans(self) -> Plans:
        from .plans import Plans

        return Plans(self.session, self.policy)

    @cached_property
    def adjustments(self) -> Adjustments:
        from .adjustments import Adjustments

        return Adjustments(self.session, self.fee_policy, self.policy)

    @cached_property
    def contacts(self) -> Contacts:
        from .contacts import Contacts

        return Contacts(self.session)

    @cached_property
    def inbound(self) -> Inbound:
        from .inbound import Inbound

        return Inbound(self.session, self.accounts, self.claims)

    @cached_property
    def csv(self) -> CsvIO:
        from .csv_io import CsvIO

        return CsvIO(self.session)

    @cached_property
    def day_close(self) -> DayClose:
        from .day_close import DayClose

        return DayClose(self.session)

    @cached_property
    def users(self) -> Users:
        from .users import Users

        return Users(self.session)

    @cached_property
    def audit(self) -> AuditTrail:
        from .audit import AuditTrail

        return AuditTrail(self.session)

    @classmethod
    def open(
        cls,
        target: str,
        *,
        username: str | None = None,
        today: Callable[[], dt.date] | None = None,
        policy: QueuePolicy = QueuePolicy(),
        statements: StatementPolicy = StatementPolicy(),
        fees: FeePolicy = FeePolicy(),
        create_dirs: bool = False,
        enroll: bool = True,
        via: str = "",
    ) -> Store:
        """Connect to a path or URL and bring its schema up to date (StoreError if it cannot)."""
        db = connect(target, create_dirs=create_dirs)
        migrate(db)
        return cls(
            db,
            username=username,
            today=today,
            policy=policy,
            statements=statements,
            fees=fees,
            enroll=enroll,
            via=via,
        )

    def today(self) -> dt.date:
        return self.session.today()

    def verify(self) -> VerifyReport:
        from .verify import verify

        return verify()

    def schema_version(self) -> str:
        return schema_version(self.db)

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()
