"""Edits to the outcomes register, checked here once as `Change`s of kind `outcome`, for
the app (and a CLI) alike (docs/contracts.md "Outcomes register"). Bad input raises
`RecordProblem` naming the field and what to write, and changes nothing.

`new_outcome` / `outcome_change` give the change (the app applies it through its
session, so undo and saving work as for any edit); `add_outcome` / `edit_outcome` apply
it to a review in memory with its history entry (a caller then writes the review).
"""

from __future__ import annotations

import secrets
from typing import Any

from gatebook.questionnaire.ids import did_you_mean
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.clock import current_user, utc_now
from gatebook.store.history import Change, apply_change
from gatebook.store.model import OUTCOME_CBOS, OUTCOME_STATUSES, ChangeKind, OutcomeRow, Review
from gatebook.store.records import ROW_ID_ALPHABET, RecordProblem, checked_date, checked_text

OUTCOME_ID_PREFIX = "outcome_"
TEXT_FIELDS = ("metric", "baseline", "target", "evidence")
FIELDS = ("title", "cbo", *TEXT_FIELDS, "by", "status")
"""What `**fields` may name: None keeps a field as it is; "" clears cbo, by and the texts."""


def new_outcome_id(taken: set[str]) -> str:
    """`outcome_` and six random lower-case letters and digits (as hand-added risks get:
    two laptops adding an outcome before they merge never pick the same id)."""
    while True:
        outcome_id = OUTCOME_ID_PREFIX + "".join(secrets.choice(ROW_ID_ALPHABET) for _ in range(6))
        if outcome_id not in taken:
            return outcome_id


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        shown = ", ".join(allowed)
        hint = did_you_mean(value, list(allowed))
        raise RecordProblem(f"{what} must be one of {shown}, not {value!r}.{hint}")
    return value


def _written(row: dict[str, Any], fields: dict[str, str | None]) -> dict[str, Any]:
    """The row with the given fields checked and written."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise RecordProblem(f"{unknown[0]}: not an outcome field; one of {', '.join(FIELDS)}")
    for name, value in fields.items():
        if value is None:
            continue
        if name == "title":
            if not value.strip():
                raise RecordProblem("--title: an outcome needs a title")
            row["title"] = checked_text(value.strip(), "--title")
        elif name == "cbo":
            row["cbo"] = _choice(value.strip(), OUTCOME_CBOS, "--cbo") if value.strip() else None
        elif name == "by":
            row["by"] = checked_date(value, "--by") if value.strip() else None
        elif name == "status":
            row["status"] = _choice(value.strip(), OUTCOME_STATUSES, "--status")
        else:
            row[name] = checked_text(value, f"--{name}")
    return OutcomeRow.model_validate(row).model_dump(mode="json")


def new_outcome(
    review: Review, questionnaire: Questionnaire, title: str, **fields: str | None
) -> tuple[str, Change]:
    """A new outcome's id and the change adding it (refused when the questionnaire keeps
    no outcomes register)."""
    if not questionnaire.outcomes:
        raise RecordProblem(
            f"{questionnaire.id} {questionnaire.version} keeps no outcomes register "
            "(its questionnaire does not declare `outcomes: true`)"
        )
    if not title.strip():
        raise RecordProblem("--add needs the outcome's title")
    outcome_id = new_outcome_id(set(review.outcomes))
    row = _written({"title": "-"}, {**fields, "title": title})
    return outcome_id, Change(ChangeKind.OUTCOME, outcome_id, row)


def outcome_change(review: Review, outcome_id: str, **fields: str | None) -> Change:
    """The change writing these fields on one outcome (an unknown id is refused with
    the nearest known one)."""
    stored = review.outcomes.get(outcome_id)
    if stored is None:
        known = sorted(review.outcomes)
        hint = did_you_mean(outcome_id, known) if known else " The review has no outcomes yet."
        raise RecordProblem(f"{outcome_id}: no such outcome.{hint}")
    row = _written(stored.model_dump(mode="json"), fields)
    return Change(ChangeKind.OUTCOME, outcome_id, row)


def add_outcome(
    review: Review,
    questionnaire: Questionnaire,
    title: str,
    *,
    now: str | None = None,
    user: str | None = None,
    **fields: str | None,
) -> str:
    """Add an outcome to the review in memory, with its history entry; its id."""
    outcome_id, change = new_outcome(review, questionnaire, title, **fields)
    _apply(review, change, now, user)
    return outcome_id


def edit_outcome(
    review: Review,
    outcome_id: str,
    *,
    now: str | None = None,
    user: str | None = None,
    **fields: str | None,
) -> None:
    """Write fields on one outcome in memory, with a history entry (none when nothing
    changes)."""
    _apply(review, outcome_change(review, outcome_id, **fields), now, user)


def _apply(review: Review, change: Change, now: str | None, user: str | None) -> None:
    when = now or utc_now()
    if apply_change(review, change, when, user or current_user()) is not None:
        review.updated = when
