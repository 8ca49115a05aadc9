"""Writing thousands of rows at once (an ERA's postings, the cached totals they touch).

Peewee builds each statement's SQL in Python, which for 10,000 one-row updates
costs more than the database's work. Here one parameterized statement runs over
every row: sqlite3's executemany on SQLite, psycopg2's execute_batch on
PostgreSQL. Values are bound, never formatted into the SQL; table and column
names come from the models, never from input. Call inside a write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import SQL, DateField, DateTimeField, Expression, SqliteDatabase

from .db import database


def is_sqlite() -> bool:
    db = database.obj if hasattr(database, "obj") else database
    return isinstance(db, SqliteDatabase)


def _columns(model, fields: Sequence[str]) -> list[str]:
    return [model._meta.fields[name].column_name for name in fields]


def _sqlite_values(model, fields: Sequence[str], rows: Sequence[tuple]) -> Sequence[tuple]:
    """Dates as peewee writes them to SQLite (ISO text), without sqlite3's adapters."""
    dated = [
        i
        for i, name in enumerate(fields)
        if isinstance(model._meta.fields[name], DateField | DateTimeField)
    ]
    if not dated:
        return rows
    converted = []
    text: dict = {None: None}  # a bulk write repeats a few dates: convert each once
    for row in rows:
        values = list(row)
        for i in dated:
            value = values[i]
            try:
                values[i] = text[value]
            except KeyError:
                values[i] = text[value] = str(value)
        converted.append(values)
    return converted


def rows_of(query) -> list[tuple]:
    """A select's rows as the driver returns them, without peewee's per-value conversion
    (SQLite hands back dates as ISO text): for reading tens of thousands of rows."""
    return database.execute(query).fetchall()


def _run(sql: str, rows: Sequence[tuple], model=None, fields: Sequence[str] = ()) -> None:
    cursor = database.cursor()
    if is_sqlite():
        cursor.executemany(sql, _sqlite_values(model, fields, rows) if model else rows)
    else:
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=1000)


def _with_defaults(model, fields: Sequence[str], rows: Sequence[tuple]):
    """Add the model's defaults for the fields not given (peewee applies them in Python:
    the columns have no DEFAULT of their own)."""
    missing = [
        field
        for name, field in model._meta.fields.items()
        if name not in fields and field.default is not None
    ]
    if not missing:
        return fields, rows
    values = tuple(f.default() if callable(f.default) else f.default for f in missing)
    return (*fields, *(f.name for f in missing)), [(*row, *values) for row in rows]


def insert_rows(model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    fields, rows = _with_defaults(model, fields, rows)
    table = model._meta.table_name
    param = "?" if is_sqlite() else "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(_columns(model, fields))}) "  # noqa: S608
        f"VALUES ({', '.join([param] * len(fields))})"
    )
    _run(sql, rows, model, fields)


def insert_rows_with_ids(model, fields: Sequence[str], rows: Sequence[tuple]) -> list[int]:
    """Insert and return the new ids in row order. On SQLite the ids are given
    explicitly from MAX(id) + 1: the caller's write transaction (IMMEDIATE) keeps any
    other writer out until it commits. On PostgreSQL the sequence hands them out."""
    if not rows:
        return []
    if is_sqlite():
        first = (model.select(model.id).order_by(model.id.desc()).limit(1).scalar() or 0) + 1
        ids = list(range(first, first + len(rows)))
        insert_rows(model, ("id", *fields), [(i, *row) for i, row in zip(ids, rows, strict=True)])
        return ids
    ids = []
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        query = model.insert_many(chunk, fields=[model._meta.fields[f] for f in fields])
        ids.extend(i for (i,) in query.returning(model.id).tuples().execute())
    return ids


def update_rows(model, fields: Sequence[str], rows: Sequence[tuple], key: str = "id") -> None:
    """UPDATE each row by its key: rows are (value for each field..., key)."""
    if not rows:
        return
    table = model._meta.table_name
    param = "?" if is_sqlite() else "%s"
    sets = ", ".join(f"{column} = {param}" for column in _columns(model, fields))
    (key_column,) = _columns(model, [key])
    sql = f"UPDATE {table} SET {sets} WHERE {key_column} = {param}"  # noqa: S608
    _run(sql, rows, model, (*fields, key))


def among(column, values: Sequence) -> Expression:
    """column IN (values), with the list bound as one SQL fragment: peewee would build a
    node per value, which for a 500-id chunk costs more than running the query."""
    if not values:
        return column.in_([])
    param = "?" if is_sqlite() else "%s"
    return Expression(column, "IN", SQL(f"({', '.join([param] * len(values))})", list(values)))
