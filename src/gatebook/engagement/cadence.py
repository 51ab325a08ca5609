"""When the next Delivery Quality Inspection is due: the latest DQI's date plus the
kickoff's cadence, until a DQI says the engagement is ready to close (docs/contracts.md
"Engagements", next step and RAG). Read from the members' answers, nothing stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from gatebook.engagement.inspections import DEFAULT_DQI_CADENCE_DAYS
from gatebook.engagement.inspections import dqi_cadence_days as kickoff_cadence
from gatebook.engagement.lifecycle import Member, dqi_date, latest_dqi


def number(value: object) -> Decimal | None:
    """An answer as a number (a yes/no or text that is not one: None)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def dqi_cadence_days(members: list[Member]) -> int:
    """The latest kickoff's `dqi_cadence_days` (engagement/inspections.py reads it),
    90 when it is unanswered or there is no kickoff."""
    kickoffs = [m for m in members if m.stage == "launch" and m.review is not None]
    if not kickoffs:
        return DEFAULT_DQI_CADENCE_DAYS
    kickoff = max(kickoffs, key=Member.sort_key)
    return kickoff_cadence(kickoff.review.answers if kickoff.review else None)


def ready_to_close(member: Member) -> bool:
    """The DQI answers `ready_to_close: yes`."""
    return member.review is not None and member.review.answers.get("ready_to_close") is True


def next_dqi_due(members: list[Member]) -> tuple[Member, str] | None:
    """The latest DQI and the day the next one is due; None while there is no DQI, once
    the latest is ready to close, or once a close has started."""
    if any(m.stage == "close" for m in members):
        return None
    dqi = latest_dqi(members)
    if dqi is None or ready_to_close(dqi):
        return None
    try:
        day = dt.date.fromisoformat(dqi_date(dqi)[:10])
        due = day + dt.timedelta(days=dqi_cadence_days(members))
    except (ValueError, OverflowError):
        return None
    return dqi, due.isoformat()
