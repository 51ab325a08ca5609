"""The RAG status of an engagement, or of one loose review, as it stands now — not
the worst that ever happened (docs/contracts.md "Engagements", RAG): the latest DQI,
the live register rows, the outcomes on their latest rows, undecided escalations and
the latest signed member decide it; earlier overrides are listed as history.

One function for `engagement show/list`, `show` (a loose review), `report`, the
combined plan and the app, so they never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gatebook.engagement.cadence import next_dqi_due
from gatebook.engagement.lifecycle import (
    EngagementRisk,
    Member,
    dqi_rating,
    engagement_risks,
    latest_dqi,
)
from gatebook.engagement.next_step import signed_close
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES
from gatebook.store.model import OutcomeRow

OUTCOME_WORDS = {"at_risk": "is at risk", "off_track": "is off track"}


@dataclass
class Rag:
    status: str
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "reasons": self.reasons}


@dataclass(frozen=True)
class EngagementOutcome:
    """An outcome row as the engagement sees it: its latest row and the member it is in."""

    review: str
    id: str
    row: OutcomeRow


def latest_outcomes(members: list[Member]) -> list[EngagementOutcome]:
    """Each outcome once, as its latest row: a row a later member carried on (its
    `origin`) is superseded by that member's row."""
    carried = {
        row.origin
        for m in members
        if m.review is not None
        for row in m.review.outcomes.values()
        if row.origin
    }
    return [
        EngagementOutcome(m.id, row_id, row)
        for m in members
        if m.review is not None
        for row_id, row in m.review.outcomes.items()
        if f"{m.id}/{row_id}" not in carried
    ]


def rag(members: list[Member], today: str, risks: list[EngagementRisk] | None = None) -> Rag:
    """red: a member that cannot be read (what it holds is unknown), an escalation
    decided `stop`, a high live row past its due date still open or mitigating, the
    latest DQI red, an override on a signed member while a gate that decides its
    sign-off fails (unless a later member of its track is signed without one), a
    signed close whose gate fails. amber: a high live row not addressed, a required
    escalation without a decision, the latest DQI amber, the next DQI overdue, an
    outcome at risk or off track. Once a close is signed, the red rules and then
    amber only for a deliverable not accepted or an outcome not achieved. `risks`: the
    members' live rows when the caller has them already."""
    members = sorted(members, key=Member.sort_key)
    close = signed_close(members)
    red = [f"{m.id}: unreadable ({m.unreadable})" for m in members if m.unreadable is not None]
    amber: list[str] = []
    for member in members:
        if member.review is None or member.report is None:
            continue
        if member.report.escalation.stopped:
            red.append(f"{member.id}: escalation decided stop")
        if member.report.escalation.due:
            amber.append(f"{member.id}: escalation required, no decision recorded")
    live = engagement_risks(members) if risks is None else risks
    for risk in live:  # a row carried on: the later stage's decides
        row = risk.row
        if row.severity != "high" or row.status == "resolved":
            continue
        if row.past_due(today):
            red.append(f"{risk.review}: high risk {row.id} past its due date {row.due}")
        elif row.open_high:
            amber.append(f"{risk.review}: high risk {row.id} without mitigation and contingency")
    overrides, history = _overrides(members)
    red += overrides
    dqi = latest_dqi(members)
    rating = dqi_rating(dqi) if dqi is not None else None
    if rating == "red" and dqi is not None:
        red.append(f"{dqi.id}: the latest DQI rates red")
    elif rating == "amber" and dqi is not None:
        amber.append(f"{dqi.id}: the latest DQI rates amber")
    if close is not None:
        red += _close_gate(close, overrides)
        amber = _closed(close, members)
    else:
        amber += _open(members, today)
    if red:
        return Rag("red", red + amber + history)
    if amber:
        return Rag("amber", amber + history)
    return Rag("green", history)


def _open(members: list[Member], today: str) -> list[str]:
    """The amber rules of a delivery still running: the next DQI overdue, outcomes at
    risk or off track."""
    amber: list[str] = []
    due = next_dqi_due(members)
    if due is not None and due[1] < today:
        amber.append(f"{due[0].id}: the next DQI was due {due[1]}")
    for outcome in latest_outcomes(members):
        words = OUTCOME_WORDS.get(outcome.row.status)
        if words:
            amber.append(f"{outcome.review}: outcome {outcome.row.title} {words}")
    return amber


def _closed(close: Member, members: list[Member]) -> list[str]:
    """Amber once the close is signed: a deliverable of the close not accepted, an
    outcome not achieved."""
    amber: list[str] = []
    rows = close.review.answers.get("deliverables") if close.review is not None else None
    for number, row in enumerate(rows if isinstance(rows, list) else [], start=1):
        if isinstance(row, dict) and row.get("accepted") is not True:
            name = row.get("deliverable") or f"row {number}"
            amber.append(f"{close.id}: deliverable {name} is not accepted")
    for outcome in latest_outcomes(members):
        if outcome.row.status == "not_achieved":
            amber.append(f"{outcome.review}: outcome {outcome.row.title} was not achieved")
    return amber


def _failing_gates(member: Member) -> list[str]:
    """The titles of the member's gates that decide its sign-off and fail now."""
    if member.questionnaire is None or member.evaluation is None:
        return []
    return [
        gate.title
        for gate in member.questionnaire.gates
        if gate.decides_signoff
        and (status := member.evaluation.gates.get(gate.id)) is not None
        and not status.passed
    ]


def _close_gate(close: Member, overrides: list[str]) -> list[str]:
    if any(reason.startswith(f"{close.id}: ") for reason in overrides):
        return []  # said already: signed with an override while its gate fails
    return [f"{close.id}: signed while its gate {title} fails" for title in _failing_gates(close)]


def _track(stage: str | None) -> tuple[str, ...] | None:
    for track in (DELIVERY_STAGES, OKR_STAGES):
        if stage in track:
            return track
    return None


def _override_reasons(member: Member) -> list[str]:
    """The distinct reasons of the member's current sign-offs given with an override
    (several roles giving one reason are one sentence in `reasons`)."""
    if member.report is None:
        return []
    reasons = [
        view.signoff.override
        for view in member.report.signoffs
        if view.state == "current" and view.signoff.override
    ]
    return list(dict.fromkeys(reasons))


def _overrides(members: list[Member]) -> tuple[list[str], list[str]]:
    """(red, history): an override colours red while a gate deciding that sign-off fails
    on the signed content and no later member of its track is signed without one;
    every other override is history (`REVIEW: signed with an override: REASON`)."""
    red: list[str] = []
    history: list[str] = []
    for index, member in enumerate(members):
        reasons = _override_reasons(member)
        if not reasons:
            continue
        track = _track(member.stage)
        superseded = track is not None and any(
            later.stage in track and later.status == "signed" and not _override_reasons(later)
            for later in members[index + 1 :]
        )
        failing = _failing_gates(member) if member.status == "signed" else []
        for reason in reasons:
            if failing and not superseded:
                gates = ", ".join(failing)
                verb = "fails" if len(failing) == 1 else "fail"
                red.append(f"{member.id}: signed with an override while {gates} {verb}: {reason}")
            else:
                history.append(f"{member.id}: signed with an override: {reason}")
    return red, history
