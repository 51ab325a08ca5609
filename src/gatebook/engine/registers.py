"""Condition helpers over a review's registers: the outcomes register and the risk
register's carried rows (docs/authoring.md "Helpers over the registers").

The registers come in as plain data (the store hands them over), so the engine stays
pure. Where there is no review (`gatebook eval --answers`, an example without
`outcomes:` or `risk_register:`) every helper is UNKNOWN: a flag over a register then never
raises and a gate item over one is never met, rather than each reading "none".
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from gatebook.engine.expressions import UNKNOWN, _strict
from gatebook.questionnaire.models import Questionnaire

Rows = Mapping[str, Mapping[str, Any]]
CARRIED_OVERDUE_STATUSES = frozenset({"open", "mitigating"})
TITLE_SEPARATOR = "; "


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _rows(rows: Rows) -> list[Mapping[str, Any]]:
    return [row for row in rows.values() if isinstance(row, Mapping)]


def _where(rows: Rows, statuses: tuple[Any, ...]) -> list[Mapping[str, Any]]:
    """Rows with any of these statuses (no status given: every row)."""
    wanted = {str(s) for s in statuses}
    return [r for r in _rows(rows) if not wanted or str(r.get("status", "planned")) in wanted]


def _missing(rows: Rows, fields: tuple[Any, ...]) -> list[Mapping[str, Any]]:
    """Rows with any of these fields empty."""
    return [r for r in _rows(rows) if any(_blank(r.get(str(f))) for f in fields)]


def _with(rows: Rows, fields: tuple[Any, ...]) -> list[Mapping[str, Any]]:
    """Rows with every one of these fields written."""
    return [r for r in _rows(rows) if all(not _blank(r.get(str(f))) for f in fields)]


def _titles(rows: list[Mapping[str, Any]]) -> str:
    """The rows' titles in alphabetical order: the same text whatever order rows are stored."""
    titles = sorted((str(r.get("title") or "(untitled)") for r in rows), key=str.casefold)
    return TITLE_SEPARATOR.join(titles)


def carried_overdue_rows(register: Rows, at: Any) -> Any:
    """Carried risk rows (`origin` set) due before `at` and still open or mitigating."""
    when = _date(at)
    if when is None:
        return UNKNOWN
    found = []
    for row in _rows(register):
        due = _date(row.get("due")) if row.get("due") else None
        status = str(row.get("status") or "open")
        carried = bool(row.get("origin"))
        if carried and due is not None and due < when and status in CARRIED_OVERDUE_STATUSES:
            found.append(row)
    return found


def register_helpers(outcomes: Rows | None, register: Rows | None) -> dict[str, Callable[..., Any]]:
    """The helpers a condition over this review's registers calls; UNKNOWN throughout
    for a register that is None (no review)."""

    def over_outcomes(
        pick: Callable[[Rows, tuple[Any, ...]], list[Mapping[str, Any]]], titles: bool
    ) -> Callable[..., Any]:
        def helper(*args: Any) -> Any:
            if outcomes is None:
                return UNKNOWN
            found = pick(outcomes, args)
            return _titles(found) if titles else Decimal(len(found))

        return _strict(helper)

    def carried_overdue(at: Any) -> Any:
        if register is None:
            return UNKNOWN
        found = carried_overdue_rows(register, at)
        return found if found is UNKNOWN else Decimal(len(found))

    def carried_overdue_titles(at: Any) -> Any:
        if register is None:
            return UNKNOWN
        found = carried_overdue_rows(register, at)
        return found if found is UNKNOWN else _titles(found)

    return {
        "outcomes": over_outcomes(lambda rows, _: _rows(rows), titles=False),
        "outcomes_where": over_outcomes(_where, titles=False),
        "outcomes_missing": over_outcomes(_missing, titles=False),
        "outcomes_with": over_outcomes(_with, titles=False),
        "outcome_titles": over_outcomes(_where, titles=True),
        "outcome_titles_missing": over_outcomes(_missing, titles=True),
        "carried_overdue": _strict(carried_overdue),
        "carried_overdue_titles": _strict(carried_overdue_titles),
    }


READERS = frozenset(
    {
        "outcomes",
        "outcomes_where",
        "outcomes_missing",
        "outcomes_with",
        "outcome_titles",
        "outcome_titles_missing",
        "carried_overdue",
        "carried_overdue_titles",
    }
)


def register_readers(questionnaire: Questionnaire) -> frozenset[str]:
    """The flags whose conditions call a helper over a register (computed per call: a
    questionnaire has tens of rules, and this runs only where there is no review)."""
    found: set[str] = set()
    for rule in questionnaire.risks:
        for level in rule.ordered_levels():
            node = questionnaire.expression(level.when)
            if any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in READERS
                for n in ast.walk(node)
            ):
                found.add(rule.id)
    return frozenset(found)
