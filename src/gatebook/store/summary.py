"""A review's summary as the home screen and `gatebook list` show it: a plain dataclass.

It is what the index holds, one row per review. The home screen reads it at start-up,
so it is checked by hand here instead of by pydantic: importing the review models
(pydantic and every model class) cost about 100 ms before the first screen, and a
row needs no more than a few type checks. A row that fails them is re-read from the
review file, as a stale row is.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from gatebook.questionnaire.ids import is_document_id


@dataclass(frozen=True)
class Summary:
    """What the home screen and `gatebook list` show, kept in the index."""

    id: str
    title: str
    questionnaire: str
    version: str
    subject: str = ""
    progress: float = 0.0
    high: int = 0
    medium: int = 0
    low: int = 0
    overall: float | None = None
    target: float | None = None
    status: str = "draft"
    updated: str = ""
    unreadable: str | None = None
    conflicts: int = 0
    """Open conflicts a git merge left (`gatebook conflicts` lists them)."""

    def to_row(self) -> dict[str, Any]:
        """The JSON object stored in the index and printed by `list --format json`
        (every field is a plain value: no deep copy as `dataclasses.asdict` makes)."""
        return {name: getattr(self, name) for name in FIELD_NAMES}


_TEXT = ("id", "title", "questionnaire", "version", "subject", "status", "updated")
_COUNTS = ("high", "medium", "low", "conflicts")
_NUMBERS = ("progress",)
_OPTIONAL_NUMBERS = ("overall", "target")
FIELD_NAMES = tuple(f.name for f in fields(Summary))
_NAMES = frozenset(FIELD_NAMES)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def summary_from_row(row: dict[str, Any]) -> Summary | None:
    """The summary a stored row holds, or None when the row is not one (re-read it).

    Unknown keys are ignored (a newer gatebook may add some); a wrong type anywhere
    makes the row worthless, never an exception."""
    values = {key: value for key, value in row.items() if key in _NAMES}
    if "conflicts" not in values:  # a row from before conflicts were counted
        return None
    for key in ("id", "title", "questionnaire", "version"):
        if not isinstance(values.get(key), str):
            return None
    if not is_document_id(values["id"]):
        return None
    checks = (
        all(isinstance(values.get(k, ""), str) for k in _TEXT)
        and all(type(values.get(k, 0)) is int for k in _COUNTS)
        and all(_number(values.get(k, 0.0)) for k in _NUMBERS)
        and all(values.get(k) is None or _number(values[k]) for k in _OPTIONAL_NUMBERS)
        and (values.get("unreadable") is None or isinstance(values["unreadable"], str))
    )
    if not checks:
        return None
    for key in (*_NUMBERS, *_OPTIONAL_NUMBERS):
        if values.get(key) is not None:
            values[key] = float(values[key])
    return Summary(**values)
