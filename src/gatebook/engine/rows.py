"""Condition helpers that pick rows of a table and name them.

A flag over a table (the deliverables late at this inspection, the ones not yet
accepted) must say which rows raised it, not only how many: `rows_where` and
`rows_lacking` pick the rows, `len(...)` counts them in a `when:`, and
`row_names(rows, column)` names them in a `why:` with the `:list` format
(docs/authoring.md "Helpers"). Pure functions of their arguments, like every helper.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ROW_OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _comparable(cell: Any, value: Any) -> Any:
    """A cell as the value it is compared with reads: a date text as a date, a number
    text as a Decimal; None when it cannot be read so."""
    if isinstance(value, dt.date):
        if isinstance(cell, dt.date):
            return cell
        try:
            return dt.date.fromisoformat(str(cell))
        except ValueError:
            return None
    if isinstance(value, Decimal) and not isinstance(cell, bool):
        try:
            return Decimal(str(cell).replace(",", ""))
        except InvalidOperation:
            return None
    return cell


def _same(cell: Any, value: Any) -> bool:
    if isinstance(cell, str) and isinstance(value, str):
        return cell.strip().lower() == value.strip().lower()
    return bool(cell == value)


def _row_holds(cell: Any, op: str, value: Any) -> bool:
    """One row's test; an empty cell equals nothing, is in nothing and is in no order
    (so `!=` and `not in` hold for it: no status is not `delivered`)."""
    if op in ("==", "!="):
        found = not _empty(cell) and _same(cell, value)
        return found if op == "==" else not found
    if op in ("in", "not in"):
        values = value if isinstance(value, list) else [value]
        found = not _empty(cell) and any(_same(cell, v) for v in values)
        return found if op == "in" else not found
    if _empty(cell):
        return False
    left = _comparable(cell, value)
    if left is None:
        return False
    try:
        return _ORDER[op](left, value)
    except TypeError:
        return False


def rows_where(table: Any, column: Any, op: Any, value: Any) -> list[dict[str, Any]]:
    """The rows whose `column` compares with `value` by `op` (one of ROW_OPERATORS):
    `rows_where(deliverables, "due", "<", inspection_date)`."""
    if not isinstance(table, list) or op not in ROW_OPERATORS:
        raise ValueError("rows_where needs a table and one of " + ", ".join(ROW_OPERATORS))
    return [
        row for row in table if isinstance(row, dict) and _row_holds(row.get(column), op, value)
    ]


def rows_lacking(table: Any, *columns: Any) -> list[dict[str, Any]]:
    """The rows with any of these cells empty or `no`: what is not done yet."""
    if not isinstance(table, list):
        raise ValueError("rows_lacking needs a table")
    return [
        row
        for row in table
        if isinstance(row, dict) and any(_empty(row.get(c)) or row.get(c) is False for c in columns)
    ]


def row_names(table: Any, column: Any) -> list[str]:
    """Each row's `column` as text, in order (a row without one reads `(unnamed)`), for
    a `why:` that names the rows: `{row_names(rows_lacking(t, "accepted"), "name"):list}`."""
    if not isinstance(table, list):
        raise ValueError("row_names needs a table")
    names = []
    for row in table:
        cell = row.get(column) if isinstance(row, dict) else None
        names.append("(unnamed)" if _empty(cell) else str(cell).strip())
    return names
