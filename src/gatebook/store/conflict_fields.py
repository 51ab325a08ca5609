"""The fields a merge records as conflicts, what each may hold, and where its value is.

`resolve` writes a conflict's value into the file, so the merge driver trusts no
conflict entry a side brings: its `field` must be one the driver itself records and
each of its values one that field can hold (else the driver exits 2 naming it).
Conflicts are keyed by `field`, so `value_at` reads a field's value in any side.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError

from gatebook.questionnaire.ids import IDENTIFIER
from gatebook.store.model import (
    DATE_PATTERN,
    ChangeKind,
    Conflict,
    EscalationRecord,
    HistoryEntry,
    OutcomeRow,
    Review,
    RiskRow,
)

if TYPE_CHECKING:
    from gatebook.store.history import Change

FileKind = Literal["review", "engagement"]
REVIEW_TEXTS = ("title", "subject", "version")
REVIEW_TEXT_MAPPINGS = ("notes", "not_applicable", "mitigations")
SIDES = ("base", "ours", "theirs")
ROW_MODELS: dict[str, type[RiskRow] | type[OutcomeRow]] = {
    "risk_register": RiskRow,
    "outcomes": OutcomeRow,
}
"""The registers a merge takes per row and field (`REGISTER.ROW`, `REGISTER.ROW.FIELD`)."""
ROW_KINDS = {ChangeKind.RISK: "risk_register", ChangeKind.OUTCOME: "outcomes"}
_IDENTIFIER = re.compile(IDENTIFIER)
_DATE = re.compile(DATE_PATTERN)

AnswerCheck = Callable[[str, Any], str | None]
"""The problem the review's questionnaire finds with an answer value, or None."""


def field_parts(kind: FileKind, field: str) -> tuple[str, ...] | None:
    """The parts of a field the driver records for this kind of file, or None."""
    parts = tuple(field.split("."))
    ids_ok = all(_IDENTIFIER.fullmatch(part) for part in parts[1:])
    if not ids_ok:
        return None
    if kind == "engagement":
        if parts in (("title",), ("start",)) or (len(parts) == 2 and parts[0] == "shared"):
            return parts
        return None
    if len(parts) == 1 and parts[0] in (*REVIEW_TEXTS, "escalation"):
        return parts
    if len(parts) == 2 and parts[0] in ("answers", *REVIEW_TEXT_MAPPINGS, *ROW_MODELS):
        return parts
    if len(parts) == 3 and parts[0] in ROW_MODELS and parts[2] in ROW_MODELS[parts[0]].model_fields:
        return parts
    return None


_TYPED_MAPPINGS = {
    ChangeKind.ANSWER: "answers",
    ChangeKind.NOTE: "notes",
    ChangeKind.NOT_APPLICABLE: "not_applicable",
    ChangeKind.MITIGATION: "mitigations",
}


def decided_fields(kind: str, key: str, old: Any, new: Any) -> set[str]:
    """The conflict fields a change made after the merge decides: a value typed over an
    open conflict is the settled one (as `resolve --value` would write it), so `resolve
    --take ours` can never put the merge's stale ours back over it. A register row's
    edit decides the row fields it changed, never the whole row."""
    kind = ChangeKind(kind)
    if kind in _TYPED_MAPPINGS:
        return {f"{_TYPED_MAPPINGS[kind]}.{key}"}
    if kind == ChangeKind.NA_SECTION:
        return {f"not_applicable.{qid}" for qid in new} if isinstance(new, dict) else set()
    if kind in (ChangeKind.TITLE, ChangeKind.SUBJECT, ChangeKind.ESCALATION):
        return {kind.value}
    if kind in ROW_KINDS:
        before = old if isinstance(old, dict) else {}
        after = new if isinstance(new, dict) else {}
        changed = {name for name in {*before, *after} if before.get(name) != after.get(name)}
        return {f"{ROW_KINDS[kind]}.{key}.{name}" for name in changed}
    return set()


def drop_decided(review: Review, entries: list[HistoryEntry]) -> None:
    """Drop the open conflicts these changes decided (`decided_fields`)."""
    decided = {f for e in entries for f in decided_fields(e.kind, e.key, e.old, e.new)}
    review.conflicts = [c for c in review.conflicts if c.field not in decided]


def settle_field(review: Review, field: str, changes: list[Change], now: str, user: str) -> None:
    """Write the settled value and drop the conflict on `field`: one history entry per
    change, also when the value kept is the one already there (old = new), so who
    settled what, and when, is on record."""
    from gatebook.store.history import apply_change, current_value

    for change in changes:
        if apply_change(review, change, now, user) is None:
            value = current_value(review, change.kind, change.key)
            review.history.append(
                HistoryEntry(
                    time=now, user=user, kind=change.kind, key=change.key, old=value, new=value
                )
            )
    review.conflicts = [c for c in review.conflicts if c.field != field]
    review.updated = now


def value_at(data: dict[str, Any] | None, parts: tuple[str, ...]) -> Any:
    """A field's value in one side's data (None where the side has none)."""
    value: Any = data or {}
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def with_value(data: dict[str, Any], parts: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of one side's data with the field at `parts` set to `value` (None: the key
    removed); only the mappings along the path are copied. A field whose mapping the
    side does not hold is only ever added, never made empty."""
    result = dict(data)
    node = result
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is None:
                return data
            child = {}
        node[part] = node = dict(child)
    if value is None and len(parts) > 1:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value
    return result


def _model_problem(model: type[BaseModel], value: Any) -> str | None:
    try:
        model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where + ': ' if where else ''}{first['msg']}"
    return None


def value_problem(
    kind: FileKind, parts: tuple[str, ...], value: Any, check_answer: AnswerCheck | None
) -> str | None:
    """Why `value` cannot be this field's value, or None (None is always allowed: the
    field was absent on that side)."""
    if value is None:
        return None
    head = parts[0]
    if head in ("answers", "shared"):
        return check_answer(parts[1], value) if check_answer and head == "answers" else None
    if kind == "engagement" and head == "start":
        ok = isinstance(value, str) and _DATE.fullmatch(value) is not None
        return None if ok else "a start date is written YYYY-MM-DD"
    if kind == "engagement" and head == "title" and value == "":
        return "an engagement's title is not empty"
    if head in (*REVIEW_TEXTS, *REVIEW_TEXT_MAPPINGS):
        return None if isinstance(value, str) else "must be text"
    if head == "escalation":
        return _model_problem(EscalationRecord, value)
    model = ROW_MODELS[head]
    if len(parts) == 2:  # a whole register row
        return _model_problem(model, value)
    if head == "outcomes" and parts[2] != "title":  # one field: the row's title aside
        return _model_problem(model, {"title": "-", parts[2]: value})
    return _model_problem(model, {parts[2]: value})


def conflict_problem(
    kind: FileKind, conflict: Conflict, check_answer: AnswerCheck | None = None
) -> str | None:
    """Why a side's conflict entry is not one the driver would have written, or None."""
    parts = field_parts(kind, conflict.field)
    if parts is None:
        return f"field {conflict.field!r} is not one gatebook records"
    for side in SIDES:
        problem = value_problem(kind, parts, getattr(conflict, side), check_answer)
        if problem is not None:
            return f"{conflict.field}: {side} {_shown(getattr(conflict, side))}: {problem}"
    return None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def conflicts_problem(
    kind: FileKind, conflicts: list[Conflict], check_answer: AnswerCheck | None = None
) -> str | None:
    """The first bad entry of a side's conflicts (a field listed twice included)."""
    seen: set[str] = set()
    for number, conflict in enumerate(conflicts):
        problem = conflict_problem(kind, conflict, check_answer)
        if problem is None and conflict.field in seen:
            problem = f"{conflict.field} is listed twice"
        if problem is not None:
            return f"conflicts[{number}]: {problem}"
        seen.add(conflict.field)
    return None
