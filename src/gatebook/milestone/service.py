"""Milestones as commands use them: a point by name, the diff between two points, the
milestone taken before a questionnaire upgrade, and one name across an engagement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.milestone.diff import diff_points
from gatebook.milestone.point import Point, now_point, point_from
from gatebook.milestone.store import (
    UPGRADE_PREFIX,
    MilestoneNotFound,
    MilestoneProblem,
    MilestoneStore,
    check_name,
)

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.model import Review
    from gatebook.store.reviews import ReviewStore

NOW = "now"


def point_named(
    milestones: MilestoneStore, review: Review, questionnaire: Questionnaire, name: str
) -> Point:
    if name == NOW:
        return now_point(review, questionnaire)
    return point_from(name, milestones.read(review.id, name))


def review_diff(
    reviews: ReviewStore, review_id: str, old: str | None = None, new: str | None = None
) -> tuple[dict[str, Any], Questionnaire]:
    """The diff from `old` (default: the last milestone) to `new` (default: now)."""
    review = reviews.get(review_id)
    questionnaire = reviews.questionnaire_for(review)
    milestones = MilestoneStore(reviews)
    for name in (old, new):
        if name is not None and name != NOW:
            check_name(name)
    if old is None:
        last = milestones.latest(review_id)
        if last is None:
            raise MilestoneNotFound(
                f"review {review_id} has no milestone yet; take one with: "
                f"gatebook milestone {review_id} NAME"
            )
        old = str(last["name"])
    first = point_named(milestones, review, questionnaire, old)
    second = point_named(milestones, review, questionnaire, new or NOW)
    return diff_points(first, second), questionnaire


@dataclass(frozen=True)
class Upgrade:
    """What moving a review to the live version of its questionnaire does: from which
    version to which, and the roles whose sign-offs are current now and would not be
    after (docs/contracts.md "Versions")."""

    review: str
    questionnaire: str
    from_version: str
    to_version: str
    voided: list[str]

    def voids_line(self) -> str:
        """What the command and the app say before an upgrade that voids sign-offs."""
        return (
            f"{self.review}: upgrading to {self.questionnaire} {self.to_version} voids the "
            f"sign-offs of {', '.join(self.voided)}"
        )

    def to_json(self, milestone: str | None) -> dict[str, Any]:
        return {
            "review": self.review,
            "from": self.from_version,
            "to": self.to_version,
            "milestone": milestone,
            "voided": list(self.voided),
        }


def upgrade_note(questionnaire: str, version: str, live: str) -> str:
    """How a review on an earlier version says so (`show` and the app's review screen)."""
    return f"{questionnaire} {version} ({live} available: gatebook upgrade or any change)"


def pending_upgrade(reviews: ReviewStore, review: Review) -> Upgrade | None:
    """The upgrade the review's next change makes, or None when it is on the live
    version (or on a version that is the live one's, of a workspace file)."""
    from gatebook.store.canonical import signoff_views

    target = reviews.upgrade_target(review)
    if review.version == target.version:
        return None
    judged = reviews.questionnaire_for(review)
    before = [v.signoff.role for v in signoff_views(review, judged) if v.state == "current"]
    moved = review.model_copy(deep=True)
    moved.version = target.version
    after = {v.signoff.role for v in signoff_views(moved, target) if v.state == "current"}
    order = [role.id for role in judged.signoff]
    voided = sorted(
        (role for role in before if role not in after),
        key=lambda role: (order.index(role) if role in order else len(order), role),
    )
    return Upgrade(review.id, target.id, review.version, target.version, voided)


def upgrade_first(
    reviews: ReviewStore, review: Review, questionnaire: Questionnaire | None = None
) -> str | None:
    """A review (as just read) whose stored questionnaire version differs from the live
    one (`questionnaire`, by default the store's upgrade target): take
    `before-upgrade-N`, frozen as the review is judged now (its recorded version), then
    move the review to the live version (its answers stay as they are). Returns the
    milestone's name, or None when nothing was upgraded (the caller re-reads the review
    when it was)."""
    review_id = review.id
    target = questionnaire or reviews.upgrade_target(review)
    if review.version == target.version:
        return None
    milestones = MilestoneStore(reviews)
    taken = {name for name in milestones.names(review_id) if name.startswith(UPGRADE_PREFIX)}
    number = 1
    while f"{UPGRADE_PREFIX}{number}" in taken:
        number += 1
    name = f"{UPGRADE_PREFIX}{number}"
    note = f"{target.id} {review.version} -> {target.version}"
    milestones.take(review, reviews.questionnaire_for(review), name, note)

    def upgrade(current: Review) -> None:
        current.version = target.version

    reviews.modify(review_id, upgrade)
    return name


def engagement_milestone(
    reviews: ReviewStore, members: list[str], name: str, note: str = ""
) -> list[str]:
    """Freeze every member under one name, all or nothing: one change across files
    (store/journal.py), so a member that has the name already, cannot be read or cannot
    be written leaves no milestone on any member. `note` goes in every member's file."""
    from gatebook.store.journal import changing

    check_name(name)
    members = list(dict.fromkeys(members))
    milestones = MilestoneStore(reviews)
    taken = [m for m in members if name in milestones.names(m)]
    if taken:
        raise MilestoneProblem(
            f"{', '.join(taken)} already {'has' if len(taken) == 1 else 'have'} a milestone "
            f"{name!r}; nothing was written"
        )
    paths = [milestones.path_of(member, name) for member in members]
    with changing(reviews.home, paths) as change:
        for member in members:
            review = reviews.get(member)
            milestones.stage_take(change, review, reviews.questionnaire_for(review), name, note)
    return list(members)
