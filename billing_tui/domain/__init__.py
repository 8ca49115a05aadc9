"""Pure billing rules: money, codes, dates, the ledger, the queue. No textual, no peewee."""
