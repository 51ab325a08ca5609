"""What `engagement show`, `engagement list`, the app and the combined plan show of an
engagement, computed once from its members (docs/contracts.md "Engagements").

Typed views, not dicts: every reader (the CLI's text and JSON, the screens, the
combined plan's summary) reads the same fields, and JSON is made only here, by the
views' `to_json` methods, for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.engagement.kpis import Kpis, kpis
from gatebook.engagement.lifecycle import (
    EngagementRisk,
    Member,
    NextStep,
    engagement_risks,
    engagement_stage,
    load_members,
    today_of,
)
from gatebook.engagement.members import sharing_problems
from gatebook.engagement.model import Engagement
from gatebook.engagement.next_step import next_step, roles_to_sign_next
from gatebook.engagement.outcomes import EngagementOutcome, engagement_outcomes
from gatebook.engagement.rag import rag
from gatebook.engagement.store import EngagementStore, ListedEngagement
from gatebook.engine.flags import count_severities

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore


@dataclass(frozen=True)
class MemberRow:
    """One member as the engagement lists it (a member that cannot be read: no
    questionnaire, no title, status `unreadable`)."""

    id: str
    questionnaire: str | None
    title: str | None
    status: str
    high: int
    medium: int
    overall: float | None
    target: float | None
    stage: str | None

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    def to_json(self) -> dict[str, Any]:
        """The member as `engagement show --format json` lists it."""
        return {
            "id": self.id,
            "questionnaire": self.questionnaire,
            "title": self.title,
            "status": self.status,
            "high": self.high,
            "medium": self.medium,
            "overall": self.overall,
            "target": self.target,
            "signed": self.signed,
        }


def member_row(member: Member) -> MemberRow:
    evaluation = member.evaluation
    review = member.review
    counts = count_severities(f.severity for f in evaluation.flags) if evaluation else None
    return MemberRow(
        id=member.id,
        questionnaire=review.questionnaire if review else None,
        title=review.title if review else None,
        status=member.status,
        high=counts.high if counts else 0,
        medium=counts.medium if counts else 0,
        overall=evaluation.overall if evaluation is not None else None,
        target=evaluation.target if evaluation is not None else None,
        stage=member.stage,
    )


@dataclass(frozen=True)
class EngagementView:
    """An engagement as it stands: stage, RAG and why, its members in life-cycle order,
    the shared answers, the live risk register, the next step and the success metrics."""

    id: str
    title: str
    customer: str | None
    start: str
    stage: str | None
    status: str
    status_reasons: tuple[str, ...]
    reviews: tuple[MemberRow, ...]
    shared: Mapping[str, Any]
    risks: tuple[EngagementRisk, ...]
    next_step: NextStep | None
    kpis: Kpis
    # issue 33: outcomes-data
    outcomes: tuple[EngagementOutcome, ...] = ()
    next_roles: tuple[str, ...] = ()
    """The roles the member `next_step` says to sign still waits for; shown by the app
    (`sign REVIEW_ID as ROLE: ...`), in no JSON and no plan."""

    def to_json(self) -> dict[str, Any]:
        """`engagement show --format json`."""
        return {
            "id": self.id,
            "title": self.title,
            "customer": self.customer,
            "stage": self.stage,
            "status": self.status,
            "reasons": list(self.status_reasons),
            "reviews": [review.to_json() for review in self.reviews],
            "shared": dict(self.shared),
            "risks": [risk.to_json() for risk in self.risks],
            "next_step": self.next_step.to_json() if self.next_step is not None else None,
            # issue 33: outcomes-data
            "outcomes": [outcome.to_json() for outcome in self.outcomes],
            "kpis": self.kpis.to_json(),
        }

    def list_json(self) -> dict[str, Any]:
        """One row of `engagement list --format json`."""
        return {
            "id": self.id,
            "title": self.title,
            "customer": self.customer,
            "start": self.start,
            "stage": self.stage,
            "status": self.status,
            "reviews": [review.id for review in self.reviews],
            "next_step": self.next_step.to_json() if self.next_step is not None else None,
        }


def list_json(
    listed: list[ListedEngagement], views: Mapping[str, EngagementView]
) -> list[dict[str, Any]]:
    """`engagement list --format json`: each file's view, or why it cannot be read."""
    return [
        views[item.id].list_json()
        if item.id in views
        else {"id": item.id, "unreadable": item.unreadable}
        for item in listed
    ]


def engagement_view(
    reviews: ReviewStore,
    engagement: Engagement,
    members: list[Member] | None = None,
    today: str | None = None,
) -> EngagementView:
    members = load_members(reviews, engagement) if members is None else members
    today = today or today_of(reviews)
    risks = engagement_risks(members)
    status = rag(members, today, risks)
    step = next_step(members, engagement, today)
    return EngagementView(
        id=engagement.id,
        title=engagement.title,
        customer=engagement.customer or None,
        start=engagement.start,
        stage=engagement_stage(members),
        status=status.status,
        status_reasons=tuple(status.reasons),
        reviews=tuple(member_row(m) for m in members),
        shared=dict(sorted(engagement.shared.items())),
        risks=tuple(risks),
        next_step=step,
        # issue 33: outcomes-data
        outcomes=tuple(engagement_outcomes(members, reviews)),
        kpis=kpis(members, risks),
        next_roles=roles_to_sign_next(step, members),
    )


def view_problems(reviews: ReviewStore, engagement: Engagement, members: list[Member]) -> list[str]:
    """What `engagement show` says on stderr: shared questions whose types differ,
    members that cannot be read, a member also listed by another engagement."""
    problems = sharing_problems(members)
    problems += [f"member {m.id}: {m.problem}" for m in members if m.problem]
    others = [e for e in EngagementStore(reviews).engagements() if e.id != engagement.id]
    for member in engagement.members:
        for other in others:
            if member in other.members:
                problems.append(
                    f"member {member} is also listed by engagement {other.id}; a review "
                    "belongs to at most one (remove it from one of them)"
                )
    return problems
