"""The RAG and next step as gatebook derived them before issue 33, for `verify`.

A combined plan (format 2) binds its summary by deriving it again from the members and
the data block. Issue 33 changed the rules behind two of its lines (the RAG is the state
now; the PESA comes before the SOW, another DQI until ready to close), so a plan written
before it would no longer verify. `verify` derives such a summary a second time by the
rules of its time, kept here unchanged (commit 622fdee, engagement/lifecycle.py): a
summary that neither derivation gives still fails. Nothing else uses these rules.
"""

from __future__ import annotations

from gatebook.engagement.lifecycle import (
    DQI_WINDOW_DAYS,
    STAGE_QUESTIONNAIRE,
    Member,
    NextStep,
    age_days,
    dqi_rating,
    engagement_risks,
    latest_dqi,
    overridden,
)
from gatebook.engagement.model import Engagement
from gatebook.engagement.rag import Rag
from gatebook.engine.register import RegisterRow
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES

_WHY = {
    "sow": "the OQR is in place; the PESA is required before the SOW is signed",
    "handover": "the SOW stage is in place; hand over from sales to delivery",
    "launch": "the handover is in place; prepare Sprint 0 and the customer kickoff",
    "inspect": "delivery is running; inspect it between days 120 and 365",
    "close": "inspections are under way (another DQI may follow); close when delivered",
}


def rag_before_33(members: list[Member], today: str) -> Rag:
    """The worst thing that ever happened: any current sign-off with an override is red."""
    red = [f"{m.id}: unreadable ({m.unreadable})" for m in members if m.unreadable is not None]
    amber: list[str] = []
    live: dict[str, list[RegisterRow]] = {}
    for risk in engagement_risks(members):
        live.setdefault(risk.review, []).append(risk.row)
    for member in members:
        review, report = member.review, member.report
        if review is None or report is None:
            continue
        if review.escalation is not None and review.escalation.decision == "stop":
            red.append(f"{member.id}: escalation decided stop")
        if report.escalation.due:
            amber.append(f"{member.id}: escalation required, no decision recorded")
        for view in report.signoffs:
            if view.current and view.signoff.override:
                red.append(f"{member.id}: {view.signoff.role} signed off with an override")
        for row in live.get(member.id, []):
            if row.severity != "high" or row.status == "resolved":
                continue
            if row.past_due(today):
                red.append(f"{member.id}: high risk {row.id} past its due date {row.due}")
            elif row.open_high:
                amber.append(f"{member.id}: high risk {row.id} without mitigation and contingency")
    dqi = latest_dqi(members)
    rating = dqi_rating(dqi) if dqi is not None else None
    if rating == "red" and dqi is not None:
        red.append(f"{dqi.id}: the latest DQI rates red")
    elif rating == "amber" and dqi is not None:
        amber.append(f"{dqi.id}: the latest DQI rates amber")
    if red:
        return Rag("red", red + amber)
    if amber:
        return Rag("amber", amber)
    return Rag("green")


def next_step_before_33(
    members: list[Member], engagement: Engagement, today: str
) -> NextStep | None:
    """The stage after the furthest one present (close after the first DQI)."""
    delivery = [m for m in members if m.stage in DELIVERY_STAGES]
    okr = [m for m in members if m.stage in OKR_STAGES]
    if okr and not delivery:
        return _okr_next(okr)
    present = [DELIVERY_STAGES.index(m.stage) for m in delivery if m.stage is not None]
    if not present:
        why = "start with the OQR during technical validation"
        return _step("validation", why, members, engagement, today)
    if DELIVERY_STAGES[max(present)] == "close":
        return None
    stage = DELIVERY_STAGES[max(present) + 1]
    return _step(stage, _WHY[stage], members, engagement, today)


def _signed(members: list[Member], stage: str) -> bool:
    return any(m.stage == stage and m.status == "signed" for m in members)


def _stage_gate(
    stage: str, members: list[Member], engagement: Engagement, today: str
) -> str | None:
    if stage == "handover" and not _signed(members, "validation"):
        return "the S2D handover expects a signed OQR (approved or approved with conditions)"
    if stage == "launch" and not _signed(members, "handover"):
        return "the kickoff expects a signed S2D handover"
    if (
        stage == "close"
        and age_days(engagement, today) > DQI_WINDOW_DAYS
        and not any(m.stage == "inspect" for m in members)
    ):
        return (
            f"the engagement is {age_days(engagement, today)} days old: close expects at "
            "least one Delivery Quality Inspection"
        )
    return None


def _step(
    stage: str, why: str, members: list[Member], engagement: Engagement, today: str
) -> NextStep:
    missing = _stage_gate(stage, members, engagement, today)
    reason = why
    if missing is not None:
        override = overridden(engagement, stage)
        reason = f"{why}; started early: {override}" if override else f"{why}; waiting: {missing}"
    return NextStep(stage, STAGE_QUESTIONNAIRE[stage], reason)


def _okr_next(okr: list[Member]) -> NextStep | None:
    intake = next((m for m in okr if m.stage == "intake" and m.review is not None), None)
    if intake is None or intake.review is None:
        return NextStep("intake", "okr-intake", "start with the OKR project ticket intake")
    checkpoints = intake.review.answers.get("checkpoints")
    planned = len(checkpoints) if isinstance(checkpoints, list) else 0
    done = sum(1 for m in okr if m.stage == "measure")
    if planned and done >= planned:
        return None
    of = f" of {planned}" if planned else ""
    return NextStep(
        "measure",
        "okr-review",
        f"measure checkpoint {done + 1}{of} against the thresholds agreed at intake",
    )
