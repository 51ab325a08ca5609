"""An engagement at one point of its life, as `engagement diff` compares it: a milestone
name its members hold, or `now` (docs/contracts.md "engagement diff").

At a milestone, the members are the reviews holding it, and the stage and RAG status
are computed again from their frozen states as of the milestone's date (never from
what the engagement is now). Membership lives only in the engagement file, which keeps
no history, so a milestone taken across the engagement notes the engagement it was
taken for (`engagement ENG`): a review that has left since is still found as a member
then, and a current member's milestone taken for another engagement is not one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.engagement.lifecycle import (
    Member,
    engagement_stage,
    load_members,
    today_of,
    unique_members,
)
from gatebook.engagement.rag import Rag, rag
from gatebook.milestone.point import Point, now_point, point_from
from gatebook.milestone.service import NOW, engagement_milestone
from gatebook.milestone.store import (
    UPGRADE_PREFIX,
    MilestoneDamaged,
    MilestoneNotFound,
    MilestoneStore,
)
from gatebook.questionnaire.ids import did_you_mean, is_document_id
from gatebook.store.errors import StoreError

if TYPE_CHECKING:
    from gatebook.engagement.model import Engagement
    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.reviews import ReviewStore

NOTE_PREFIX = "engagement "
"""An engagement milestone's note: `engagement ENG`."""


def engagement_note(engagement_id: str) -> str:
    return f"{NOTE_PREFIX}{engagement_id}"


def noted_engagement(milestone: Mapping[str, Any]) -> str | None:
    """The engagement a milestone was taken for, or None (a review's own milestone)."""
    note = milestone.get("note")
    if isinstance(note, str) and note.startswith(NOTE_PREFIX):
        named = note.removeprefix(NOTE_PREFIX)
        return named if is_document_id(named) else None
    return None


def take_engagement_milestone(reviews: ReviewStore, engagement: Engagement, name: str) -> list[str]:
    """Every member frozen under `name`, all or nothing, each noting the engagement (the
    CLI's `engagement milestone` and the app's `m`)."""
    members = unique_members(engagement)
    return engagement_milestone(reviews, members, name, engagement_note(engagement.id))


@dataclass(frozen=True)
class MemberAt:
    """One member at a point: its point as `gatebook diff` reads it, or why it has none
    (a member that cannot be read now)."""

    id: str
    title: str | None
    point: Point | None
    questionnaire: Questionnaire | None
    problem: str | None = None


@dataclass(frozen=True)
class EngagementPoint:
    name: str
    date: str
    """The day the status is computed as of: today, or the milestone's date."""
    members: Mapping[str, MemberAt]
    stage: str | None
    status: Rag


def now_members(reviews: ReviewStore, engagement: Engagement) -> list[Member]:
    """The members now, each read and evaluated once."""
    return load_members(reviews, engagement)


def point_now(reviews: ReviewStore, members: list[Member]) -> EngagementPoint:
    """The engagement as `engagement show` shows it, with each member's point."""
    today = today_of(reviews)
    at = {
        m.id: MemberAt(
            m.id,
            m.review.title if m.review is not None else None,
            now_point(m.review, m.questionnaire)
            if m.review is not None and m.questionnaire is not None and m.problem is None
            else None,
            m.questionnaire,
            m.problem,
        )
        for m in members
    }
    return EngagementPoint(NOW, today, at, engagement_stage(members), rag(members, today))


def point_at(
    reviews: ReviewStore, engagement: Engagement, current: list[str], name: str
) -> tuple[EngagementPoint, list[str]]:
    """The engagement at milestone `name`, and warnings (another review's milestone of
    that name that is damaged: whether it was a member cannot be told). No member
    holding it: MilestoneNotFound (exit 1, with the closest name)."""
    from gatebook.milestone.bound import UNUSABLE, frozen_review
    from gatebook.plan.document import PlanError
    from gatebook.plan.report import review_report

    files, warnings = holders(reviews, engagement.id, current, name)
    if not files:
        store = MilestoneStore(reviews)
        known = sorted({n for member in current for n in store.names(member)})
        hint = did_you_mean(name, known) or (
            "" if known else f" Take one with: gatebook engagement milestone {engagement.id} NAME"
        )
        raise MilestoneNotFound(
            f"no member of engagement {engagement.id} has a milestone {name!r}.{hint}"
        )
    members: list[Member] = []
    at: dict[str, MemberAt] = {}
    milestones = MilestoneStore(reviews)
    for review_id, data in files.items():
        try:
            review = frozen_review(data)
            questionnaire = reviews.questionnaire_for(review)
            report = review_report(review, questionnaire)
            point = point_from(name, data)
        except (PlanError, *UNUSABLE) as error:
            reason = f"its frozen state cannot be evaluated ({error})"
            raise MilestoneDamaged(milestones.path_of(review_id, name), reason) from None
        members.append(Member(review_id, review, questionnaire, report))
        at[review_id] = MemberAt(review_id, review.title, point, questionnaire)
    members.sort(key=Member.sort_key)
    date = max(str(data["time"]) for data in files.values())[:10]
    ordered = {m.id: at[m.id] for m in members}
    stage, status = engagement_stage(members), rag(members, date)
    return EngagementPoint(name, date, ordered, stage, status), warnings


def holders(
    reviews: ReviewStore, engagement_id: str, current: list[str], name: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The milestone files named `name` of the reviews that were members then: each
    current member's (unless it notes another engagement) and each other review's that
    notes this one. A current member's damaged file raises MilestoneDamaged."""
    store = MilestoneStore(reviews)
    found: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    for member in current:
        if store.path_of(member, name).exists() or store.path_of(member, name).is_symlink():
            data = store.read(member, name)
            if noted_engagement(data) in (None, engagement_id):
                found[member] = data
    for review_id in _other_folders(store, current):
        path = store.path_of(review_id, name)
        if not (path.exists() or path.is_symlink()):
            continue
        try:
            data = store.read(review_id, name)
        except (MilestoneDamaged, StoreError) as error:
            warnings.append(f"{error}; whether {review_id} was a member cannot be told")
            continue
        if noted_engagement(data) == engagement_id:
            found[review_id] = data
    return found, warnings


def _other_folders(store: MilestoneStore, current: list[str]) -> list[str]:
    try:
        names = sorted(p.name for p in store.folder.iterdir())
    except OSError:
        return []
    return [n for n in names if is_document_id(n) and n not in current]


@dataclass(frozen=True)
class SharedMilestone:
    """A milestone name the members held together, and when it was taken."""

    name: str
    time: str


def shared_milestones(
    reviews: ReviewStore, engagement: Engagement, members: list[Member]
) -> tuple[list[SharedMilestone], list[str]]:
    """The names every member then had, newest first: one taken for this engagement, or
    one every current member that existed by then holds (a review's own milestone and
    `before-upgrade-N` are passed over); and the damaged files passed over, named."""
    store = MilestoneStore(reviews)
    held: dict[str, list[dict[str, Any]]] = {}
    warnings: list[str] = []
    for member in members:
        found, damaged = store.listed(member.id)
        warnings += damaged
        for data in found:
            if noted_engagement(data) in (None, engagement.id):
                held.setdefault(str(data["name"]), []).append(data)
    created = {m.id: m.review.created if m.review is not None else "" for m in members}
    candidates: list[tuple[str, int, str]] = []
    for name, files in held.items():
        time = max(str(data["time"]) for data in files)
        sequence = max(int(data["sequence"]) for data in files)  # taken in the same second
        ours = any(noted_engagement(data) == engagement.id for data in files)
        then = {member for member, made in created.items() if made <= time}
        have = {str(data["review"]) for data in files}
        if ours or (not name.startswith(UPGRADE_PREFIX) and then and then <= have):
            candidates.append((time, sequence, name))
    shared = [SharedMilestone(name, time) for time, _, name in sorted(candidates, reverse=True)]
    return shared, warnings


def default_from(
    reviews: ReviewStore, engagement: Engagement, members: list[Member]
) -> tuple[str, list[str]]:
    """The newest name every member then had (`shared_milestones`); none: exit 1."""
    shared, warnings = shared_milestones(reviews, engagement, members)
    if not shared:
        passed = "".join(f"\n{warning}" for warning in warnings)  # never left out silently
        raise MilestoneNotFound(
            f"engagement {engagement.id} has no milestone its members share yet; take one "
            f"with: gatebook engagement milestone {engagement.id} NAME{passed}"
        )
    return shared[0].name, warnings


def unreadable_member(member: MemberAt) -> StoreError:
    """A member at both points that cannot be read now: its diff cannot be taken."""
    return StoreError(f"member {member.id}: {member.problem or 'cannot be read'}")
