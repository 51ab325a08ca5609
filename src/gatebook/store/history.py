"""Changes and the history: the one meaning of a change, who made it, and undo's record.

Every edit to a review is a `Change` of one `ChangeKind`; `apply_change` applies it
in memory and returns the history entry (old -> new, who, when), so the CLI, the
app's saver and undo all change a review the same way.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass
from typing import Any

from gatebook.store.errors import StoreError
from gatebook.store.model import ChangeKind, HistoryEntry, Review


@dataclass(frozen=True)
class Change:
    """One edit to a review: `kind` says which part, `key` which question or flag."""

    kind: ChangeKind
    key: str
    new: Any
    fresh: bool = False
    """Start a new undo step even while typing the same field (a paste over the text)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ChangeKind(self.kind))


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def current_user() -> str:
    env = os.environ.get("GATEBOOK_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        return "unknown"


def _get(review: Review, kind: str, key: str) -> Any:
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
    if kind in ("title", "subject"):
        return getattr(review, kind)
    raise StoreError(f"unknown change kind {kind!r}")


def put_value(review: Review, kind: str, key: str, value: Any) -> None:
    """Set one field of a review in memory (no history): the single meaning of a change."""
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
    else:
        raise StoreError(f"unknown change kind {kind!r}")


def apply_change(
    review: Review, change: Change, now: str, user: str, *, coalesce: bool = False
) -> HistoryEntry | None:
    """Apply one change in memory; returns its history entry, or None if nothing changed.

    With `coalesce`, a change to the same field as the last history entry extends
    that entry (keystrokes of one answer are one change, and one undo).
    """
    old = _get(review, change.kind, change.key)
    put_value(review, change.kind, change.key, change.new)
    new = _get(review, change.kind, change.key)
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
    ):
        last.new, last.time = new, now
        return last
    entry = HistoryEntry(time=now, user=user, kind=change.kind, key=change.key, old=old, new=new)
    review.history.append(entry)
    return entry
