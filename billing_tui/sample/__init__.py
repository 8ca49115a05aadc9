"""The synthetic practice behind `billing-tui init --sample N`: deterministic, fast, and nobody real.

generate() fills an empty, migrated database with a billing provider, its
providers, payers and fee schedule, and N patient accounts with coverages,
claims in every state, payments, statements and notes, keeping every cached
total exactly as `billing-tui verify` recomputes it. The same (accounts, seed,
as_of) always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from peewee import Database

from .load import insert_reference, loader_for, refuse_unless_empty
from .practice import Builder, Plan

# From this many accounts on, a forked worker process builds the rows while
# this one writes them; below it, starting the worker costs more than it saves.
WORKER_FROM = 30_000
COUNTED = ("claim", "service_line", "ledger_entry", "payment", "note", "statement")


@dataclass(frozen=True, slots=True)
class SampleSummary:
    accounts: int
    claims: int
    lines: int
    ledger_entries: int
    payments: int
    notes: int
    statements: int
    seconds: float


def generate(
    db: Database,
    accounts: int,
    *,
    seed: int = 1,
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    admin_login: str | None = None,
) -> SampleSummary:
    """Fill the empty database `db` with a sample practice of `accounts` patient accounts.

    Dates are relative to as_of (default today). Raises ValueError if the
    database already has data; progress(done, total) is called after each chunk.
    The sample admin is mapped to the OS login admin_login (see insert_reference).
    """
    if accounts < 0:
        raise ValueError("the number of sample accounts cannot be negative")
    started = time.perf_counter()
    as_of = as_of or dt.date.today()
    refuse_unless_empty(db)
    loader = loader_for(db)
    counts = dict.fromkeys(COUNTED, 0)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived tuples and no cycles: collections would only cost
    try:
        with loader.loading():
            plan = insert_reference(
                loader, seed=seed, as_of=as_of, accounts=accounts, admin_login=admin_login
            )
            _load_chunks(loader, plan, counts, progress)
    finally:
        if collecting:
            gc.enable()
    return SampleSummary(
        accounts=accounts,
        claims=counts["claim"],
        lines=counts["service_line"],
        ledger_entries=counts["ledger_entry"],
        payments=counts["payment"],
        notes=counts["note"],
        statements=counts["statement"],
        seconds=round(time.perf_counter() - started, 3),
    )


def _load_chunks(loader, plan: Plan, counts: dict[str, int], progress) -> None:
    chunks = _in_worker(plan) if _can_fork(plan) else _here(plan)
    done = 0
    for rows, batch_totals in chunks:
        for table, table_rows in rows.items():
            loader.insert(table, table_rows)
            if table in counts:
                counts[table] += len(table_rows)
        done += len(rows["patient"])
        if batch_totals is not None:
            loader.set_batch_totals(batch_totals)
        if progress is not None:
            progress(done, plan.accounts)


Chunk = tuple[dict[str, list[tuple]], list[tuple[int, int, int]] | None]
"""A chunk's rows by table, and with the last chunk the totals of every payment batch."""


def _here(plan: Plan) -> Iterator[Chunk]:
    builder = Builder(plan)
    for index in range(plan.chunks):
        rows = builder.build(index)
        yield rows, builder.batch_totals() if index == plan.chunks - 1 else None


def _worker(plan: Plan, out) -> None:
    try:
        for chunk in _here(plan):
            out.put(chunk)
    except BaseException as error:  # the parent reports it; a traceback here would be lost
        out.put(f"{type(error).__name__}: {error}")
        raise


def _can_fork(plan: Plan) -> bool:
    """Fork only a single-threaded process: a forked copy of a lock held by another thread would
    never be released. (Spawn is no alternative: it re-runs the caller's main module.)"""
    return (
        plan.accounts >= WORKER_FROM
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _in_worker(plan: Plan) -> Iterator[Chunk]:
    """The same chunks, built in a worker process while this one writes the previous chunk."""
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=3)
    worker = context.Process(target=_worker, args=(plan, out), name="sample-practice", daemon=True)
    worker.start()
    try:
        for _ in range(plan.chunks):
            while True:
                try:
                    item = out.get(timeout=1)
                    break
                except queue.Empty:
                    if not worker.is_alive():
                        raise RuntimeError("the sample generator stopped unexpectedly") from None
            if isinstance(item, str):
                raise RuntimeError(f"the sample generator failed: {item}")
            yield item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()
