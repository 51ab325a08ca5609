"""What `engagement show`, `engagement list`, the app and the combined plan show of an
engagement, computed once from its members (docs/contracts.md "Engagements")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gatebook.engagement.lifecycle import (
    Member,
    engagement_risks,
    engagement_stage,
    load_members,
    next_step,
    rag,
    today_of,
)
from gatebook.engagement.members import sharing_problems
from gatebook.engagement.model import Engagement
from gatebook.engagement.store import EngagementStore

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore


def member_json(member: Member) -> dict[str, Any]:
    """One member as `engagement show --format json` lists it."""
    evaluation = member.evaluation
    review = member.review
    flags = evaluation.flags if evaluation is not None else []
    return {
        "id": member.id,
        "questionnaire": review.questionnaire if review else None,
        "title": review.title if review else None,
        "status": member.status,
        "high": sum(1 for f in flags if f.severity == "high"),
        "medium": sum(1 for f in flags if f.severity == "medium"),
        "overall": evaluation.overall if evaluation is not None else None,
        "target": evaluation.target if evaluation is not None else None,
        "signed": member.status == "signed",
        "stage": member.stage,
    }


def engagement_view(
    reviews: ReviewStore,
    engagement: Engagement,
    members: list[Member] | None = None,
    today: str | None = None,
) -> dict[str, Any]:
    members = load_members(reviews, engagement) if members is None else members
    today = today or today_of(reviews)
    status = rag(members, today)
    step = next_step(members, engagement, today)
    return {
        "id": engagement.id,
        "title": engagement.title,
        "customer": engagement.customer or None,
        "stage": engagement_stage(members),
        "status": status.status,
        "status_reasons": status.reasons,
        "reviews": [member_json(m) for m in members],
        "shared": dict(sorted(engagement.shared.items())),
        "risks": engagement_risks(members),
        "next_step": step.to_json() if step is not None else None,
        "start": engagement.start,
    }


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
