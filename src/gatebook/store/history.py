"""Changes and the history: the one meaning of a change, who made it, and undo's record.

Every edit to a review is a `Change` of one `ChangeKind`; `apply_change` applies it
in memory and returns the history entry (old -> new, who, when), so the CLI, the
app's saver and undo all change a review the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatebook.store.errors import StoreError
from gatebook.store.model import (
    ChangeKind,
    EscalationRecord,
    HistoryEntry,
    Meeting,
    OutcomeRow,
    Review,
    RiskRow,
)


@dataclass(frozen=True)
class Change:
    """One edit to a review: `kind` says which part, `key` which question or flag."""

    kind: ChangeKind
    key: str
    new: Any
    fresh: bool = False
    """Start a new undo step even while typing the same field (a paste over the text)."""
    shared_from: str | None = None
    """A shared answer made in that member review of the engagement (history only)."""
    shared_to: tuple[str, ...] | None = None
    """A shared answer also written in these member reviews (history only)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ChangeKind(self.kind))

    @property
    def keys(self) -> tuple[str, ...]:
        return touched_keys(self.kind, self.key, self.new)


def touched_keys(kind: str, key: str, value: Any) -> tuple[str, ...]:
    """The question (or flag, row) ids a change touches: a section's N/A touches each
    of its questions, so the screen refreshes their marks."""
    if kind == "na_section" and isinstance(value, dict):
        return tuple(value)
    if kind == "carry" and isinstance(value, dict):
        return tuple(dict.fromkeys(row for part in value.values() for row in part))
    return (key,)


CARRIED_PARTS = {"risk_register": "risk", "mitigations": "mitigation", "outcomes": "outcome"}
"""A carry's parts and the change kind each part's values are (issue 33)."""


def _get(review: Review, kind: str, key: str, new: Any = None) -> Any:
    if kind == "risk":
        row = review.risk_register.get(key)
        return None if row is None else row.model_dump(mode="json")
    if kind == "outcome":
        outcome = review.outcomes.get(key)
        return None if outcome is None else outcome.model_dump(mode="json")
    if kind == "escalation":
        return None if review.escalation is None else review.escalation.model_dump(mode="json")
    if kind == "meeting":
        index = int(key)
        return (
            review.meetings[index].model_dump(mode="json") if index < len(review.meetings) else None
        )
    if kind == "na_section":  # the section's questions' N/A reasons, as one change
        return {qid: review.not_applicable.get(qid) for qid in (new or {})}
    if kind == "carry":  # what `engagement add` carried in, as one change
        given = new if isinstance(new, dict) else {}
        return {
            part: {row: _get(review, CARRIED_PARTS[part], row) for row in given.get(part, {})}
            for part in CARRIED_PARTS
            if part in given
        }
    if kind == "answer":
        return review.answers.get(key)
    if kind == "note":
        return review.notes.get(key)
    if kind == "not_applicable":
        return review.not_applicable.get(key)
    if kind == "mitigation":
        return review.mitigations.get(key)
    if kind == "follow_up":
        return key in review.follow_ups
    if kind in ("title", "subject", "version"):
        return getattr(review, kind)
    raise StoreError(f"unknown change kind {kind!r}")


def current_value(review: Review, kind: str, key: str) -> Any:
    """What the review holds now for a change of `kind` to `key` (as the history records it)."""
    return _get(review, kind, key)


def put_value(review: Review, kind: str, key: str, value: Any) -> None:
    """Set one field of a review in memory (no history): the single meaning of a change.

    A register row, the escalation record and a meeting are whole values (a dict, or
    None to remove); a section's N/A is a mapping of its question ids to reasons."""
    if kind == "carry":
        for part, values in dict(value or {}).items():
            for row, row_value in dict(values).items():
                put_value(review, CARRIED_PARTS[part], row, row_value)
        return
    if kind in ("risk", "outcome", "escalation", "meeting", "na_section"):
        _put_record(review, kind, key, value)
        return
    mapping: dict[str, Any] | None = {
        "answer": review.answers,
        "note": review.notes,
        "not_applicable": review.not_applicable,
        "mitigation": review.mitigations,
    }.get(kind)
    if mapping is not None:
        if value is None or (kind != "answer" and value == "" and kind != "not_applicable"):
            mapping.pop(key, None)
        else:
            mapping[key] = value
    elif kind == "follow_up":
        if value and key not in review.follow_ups:
            review.follow_ups.append(key)
        elif not value and key in review.follow_ups:
            review.follow_ups.remove(key)
    elif kind in ("title", "subject"):
        setattr(review, kind, value or "")
    elif kind == "version" and isinstance(value, str) and value:
        review.version = value
    else:
        raise StoreError(f"unknown change kind {kind!r}")


def undo_value(review: Review, index: int) -> None:
    """Put back the value history entry `index` recorded before its change. A hand-edited
    entry no command could have written (a carry that is not rows, a row of the wrong
    shape) is an InvalidInput naming it, before anything is written (issue 33: compat)."""
    from pydantic import ValidationError

    from gatebook.store.errors import InvalidInput

    entry = review.history[index]
    try:
        put_value(review, entry.kind, entry.key, entry.old)
    except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as error:
        first = str(error).splitlines()[0]
        raise InvalidInput(
            f"{review.id}: history entry {index} ({entry.kind} {entry.key}) cannot be undone: "
            f"the value it recorded is not one gatebook writes ({first}); nothing was changed"
        ) from None


def _put_record(review: Review, kind: str, key: str, value: Any) -> None:
    if kind == "risk":
        if value is None:
            review.risk_register.pop(key, None)
        else:
            review.risk_register[key] = RiskRow.model_validate(value)
    elif kind == "outcome":
        if value is None:
            review.outcomes.pop(key, None)
        else:
            review.outcomes[key] = OutcomeRow.model_validate(value)
    elif kind == "escalation":
        review.escalation = None if value is None else EscalationRecord.model_validate(value)
    elif kind == "meeting":
        index = int(key)
        if value is None:
            if index < len(review.meetings):
                del review.meetings[index]
        elif index < len(review.meetings):
            review.meetings[index] = Meeting.model_validate(value)
        else:
            review.meetings.append(Meeting.model_validate(value))
    else:
        for question_id, reason in dict(value or {}).items():
            put_value(review, "not_applicable", question_id, reason)


def apply_change(
    review: Review, change: Change, now: str, user: str, *, coalesce: bool = False
) -> HistoryEntry | None:
    """Apply one change in memory; returns its history entry, or None if nothing changed.

    With `coalesce`, a change to the same field as the last history entry extends
    that entry (keystrokes of one answer are one change, and one undo).
    """
    old = _get(review, change.kind, change.key, change.new)
    put_value(review, change.kind, change.key, change.new)
    new = _get(review, change.kind, change.key, change.new)
    if old == new:
        return None
    last = review.history[-1] if review.history else None
    if (
        coalesce
        and not change.fresh
        and last is not None
        and (last.kind, last.key, last.user) == (change.kind, change.key, user)
        and not last.undone
        and last.undo_of is None
        and last.shared_from == change.shared_from
    ):
        last.new, last.time = new, now
        if change.shared_to:
            last.shared_to = sorted(set(last.shared_to or ()) | set(change.shared_to))
        return last
    entry = HistoryEntry(
        time=now,
        user=user,
        kind=change.kind,
        key=change.key,
        old=old,
        new=new,
        shared_from=change.shared_from,
        shared_to=list(change.shared_to) if change.shared_to else None,
    )
    review.history.append(entry)
    return entry
