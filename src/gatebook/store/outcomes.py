"""Edits to the outcomes register, checked once for the CLI and the app alike
(docs/contracts.md "Outcomes register"): a row added with `outcome_` + 6 random
characters as its id, one row's fields written, and the row as JSON shows it
(`resolve` settles an outcome's conflicts with `written` and `outcome_change`).

Each edit is one `outcome` change holding the whole row, so history, undo, the merge
driver's "a typed value settles the conflict" and the digest treat an outcome as
they treat a risk row. Bad input raises `RecordProblem` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from gatebook.questionnaire.ids import did_you_mean
from gatebook.store.history import Change
from gatebook.store.model import (
    OUTCOME_CBOS,
    OUTCOME_STATUSES,
    ChangeKind,
    OutcomeRow,
    Review,
)
from gatebook.store.records import RecordProblem, checked_date, checked_text, new_row_id

OUTCOME_PREFIX = "outcome_"
MAX_TITLE = 500
OUTCOME_KEYS = (
    "id",
    "title",
    "cbo",
    "metric",
    "baseline",
    "target",
    "by",
    "status",
    "evidence",
    "origin",
    "first_origin",
)
"""An outcome row's keys in `show --format json`, in order (`engagement show` adds
`review`)."""


def _title(text: str, option: str) -> str:
    title = checked_text(text, option).strip()
    if not title:
        raise RecordProblem(f'{option} needs the outcome\'s title, e.g. "Cut churn by 10 %"')
    if len(title) > MAX_TITLE:
        raise RecordProblem(f"{option}: a title is at most {MAX_TITLE} characters")
    return title


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise RecordProblem(
            f"{option} must be one of {', '.join(allowed)}, not {value!r}."
            + did_you_mean(value, allowed)
        )
    return value


def written(row: dict[str, Any], fields: dict[str, str | None]) -> dict[str, Any]:
    """The row with each given field (None: kept) read as typed: `--cbo ""` and
    `--by ""` clear, text is checked as every record's text is."""
    for name, value in fields.items():
        if value is None:
            continue
        option = f"--{name}"
        if name == "title":
            row["title"] = _title(value, option)
        elif name == "cbo":
            row["cbo"] = _choice(value.strip(), OUTCOME_CBOS, option) if value.strip() else None
        elif name == "status":
            row["status"] = _choice(value.strip(), OUTCOME_STATUSES, option)
        elif name == "by":
            row["by"] = checked_date(value, option) if value.strip() else None
        else:
            row[name] = checked_text(value, option)
    return row


def new_outcome(
    review: Review,
    title: str,
    *,
    cbo: str | None = None,
    metric: str | None = None,
    baseline: str | None = None,
    target: str | None = None,
    by: str | None = None,
    status: str | None = None,
    evidence: str | None = None,
) -> tuple[str, list[Change]]:
    """A new outcome: its id (never a key the review's registers hold) and the change
    adding it."""
    fields = {"cbo": cbo, "metric": metric, "baseline": baseline, "target": target, "by": by}
    fields |= {"status": status, "evidence": evidence}
    row = written({"title": _title(title, "--add")}, fields)
    row_id = new_row_id(set(review.outcomes) | set(review.risk_register), OUTCOME_PREFIX)
    return row_id, [outcome_change(row_id, row)]


def outcome_changes(review: Review, row_id: str, **fields: str | None) -> list[Change]:
    """The change writing these fields on one outcome (None: keep as is); an unknown
    id is refused with the closest one."""
    stored = review.outcomes.get(row_id)
    if stored is None:
        raise unknown_outcome(review, row_id)
    row = written(stored.model_dump(mode="json"), fields)
    if row == stored.model_dump(mode="json"):
        return []
    return [outcome_change(row_id, row)]


def unknown_outcome(review: Review, row_id: str) -> RecordProblem:
    known = sorted(review.outcomes)
    if not known:
        return RecordProblem(
            f"{row_id}: no such outcome; {review.id} has none yet "
            f"(gatebook outcome {review.id} --add TITLE adds one)"
        )
    return RecordProblem(f"{row_id}: no such outcome.{did_you_mean(row_id, known)}")


def outcome_change(row_id: str, row: dict[str, Any]) -> Change:
    checked = OutcomeRow.model_validate(row).model_dump(mode="json")
    return Change(ChangeKind.OUTCOME, row_id, checked)


def outcome_json(row_id: str, row: OutcomeRow, first_origin: str | None) -> dict[str, Any]:
    """One row as `show --format json` lists it: empty text and absent values null."""
    return {
        "id": row_id,
        "title": row.title,
        "cbo": row.cbo,
        "metric": row.metric or None,
        "baseline": row.baseline or None,
        "target": row.target or None,
        "by": row.by,
        "status": row.status,
        "evidence": row.evidence or None,
        "origin": row.origin,
        "first_origin": first_origin,
    }


def outcome_line(row_id: str, row: OutcomeRow, first_origin: str | None = None) -> str:
    """One row for people (`show`, `outcome REVIEW`)."""
    details = [f"status {row.status}"]
    if row.cbo:
        details.append(f"cbo {row.cbo}")
    if row.metric:
        measured = f"metric {row.metric}"
        if row.baseline or row.target:
            measured += f" ({row.baseline or '?'} -> {row.target or '?'})"
        details.append(measured)
    if row.by:
        details.append(f"by {row.by}")
    origin = f"  (from {first_origin.partition('/')[0]})" if first_origin else ""
    return f"{row_id:<16} {row.title}  [{', '.join(details)}]{origin}"


def add_outcome(
    review: Review, title: str, *, now: str | None = None, user: str | None = None, **fields: str
) -> str:
    """Add an outcome to the review in memory with its history entry (a caller then
    writes the review); its id."""
    row_id, changes = new_outcome(review, title, **fields)
    _apply(review, changes, now, user)
    return row_id


def edit_outcome(
    review: Review,
    row_id: str,
    *,
    now: str | None = None,
    user: str | None = None,
    **fields: str | None,
) -> None:
    """Write fields on one outcome in memory, with a history entry (none when nothing
    changes)."""
    _apply(review, outcome_changes(review, row_id, **fields), now, user)


def _apply(review: Review, changes: list[Change], now: str | None, user: str | None) -> None:
    from gatebook.store.clock import current_user, utc_now
    from gatebook.store.history import apply_change

    when = now or utc_now()
    for change in changes:
        if apply_change(review, change, when, user or current_user()) is not None:
            review.updated = when
