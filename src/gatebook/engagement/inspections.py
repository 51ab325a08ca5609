"""Inspections as a loop (issue 33): how often a DQI is due, and what one DQI hands
the next.

A DQI that rates red or amber writes back-to-green actions (action, owner, due). The
next DQI takes them on as register rows, so they are followed, owned and closed like
any risk: severity `high` after a red inspection, `medium` after an amber one, origin
`DQI_ID/btg_N` for the N-th action (not a register row of that DQI: the chain of
origins stops there, store/origins.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from gatebook.engagement.lifecycle import Member, dqi_rating
from gatebook.store.model import RiskRow

DEFAULT_DQI_CADENCE_DAYS = 90
"""Days from one DQI's inspection date to the next when the kickoff does not say."""
MAX_DQI_CADENCE_DAYS = 365
"""The kickoff question's `max`: a longer cadence is no answer it accepts."""
CADENCE_QUESTION = "dqi_cadence_days"
ACTIONS_QUESTION = "back_to_green_actions"
BACK_TO_GREEN_ROW = "back_to_green_{number}"
"""The register row id an action takes in the next DQI (`_2`... when taken)."""
BACK_TO_GREEN_SEVERITY = {"red": "high", "amber": "medium"}
"""The severity of an action's row from the rating of the DQI that wrote it; `low`
after a green one (an action written anyway)."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def dqi_cadence_days(kickoff_answers: Mapping[str, Any] | None) -> int:
    """The kickoff's `dqi_cadence_days` as whole days (1 to 365, what the question
    accepts), else 90: when the next DQI is due after the latest one's inspection date.
    A hand-edited value outside that range counts as unanswered (issue 33: compat)."""
    value = (kickoff_answers or {}).get(CADENCE_QUESTION)
    if value is None or isinstance(value, bool):
        return DEFAULT_DQI_CADENCE_DAYS
    try:
        days = int(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return DEFAULT_DQI_CADENCE_DAYS
    return days if 1 <= days <= MAX_DQI_CADENCE_DAYS else DEFAULT_DQI_CADENCE_DAYS


def back_to_green_origin(dqi_id: str, number: int) -> str:
    """`DQI_ID/btg_N`: where the row of the N-th action (1-based) came from."""
    return f"{dqi_id}/btg_{number}"


def rating_of(member: Member) -> str | None:
    """The DQI's rating, from its flags even before its inspection date is answered."""
    rating = dqi_rating(member)
    if rating is not None or member.evaluation is None:
        return rating
    severities = {flag.severity for flag in member.evaluation.flags}
    return "red" if "high" in severities else "amber" if "medium" in severities else "green"


def back_to_green_rows(dqi: Member) -> list[tuple[str, RiskRow]]:
    """The DQI's back-to-green actions as register rows, each with its origin (an
    action without text is no action and is left out; a due date that is not
    `YYYY-MM-DD` is left empty)."""
    actions = dqi.review.answers.get(ACTIONS_QUESTION) if dqi.review is not None else None
    if not isinstance(actions, list):
        return []
    severity = BACK_TO_GREEN_SEVERITY.get(rating_of(dqi) or "", "low")
    rows: list[tuple[str, RiskRow]] = []
    for number, action in enumerate(actions, start=1):
        if not isinstance(action, dict):
            continue
        title = str(action.get("action") or "").strip()
        if not title:
            continue
        due = action.get("due")
        row = RiskRow.model_validate(
            {
                "title": title,
                "severity": severity,
                "category": "back_to_green",
                "owner": str(action.get("owner") or "").strip(),
                "due": str(due) if due is not None and _DATE.match(str(due)) else None,
                "status": "open",
                "origin": back_to_green_origin(dqi.id, number),
            }
        )
        rows.append((BACK_TO_GREEN_ROW.format(number=number), row))
    return rows
