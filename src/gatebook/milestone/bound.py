"""Format-5 since chapters: derived from a stored milestone file and the review a plan
shows, by `export --since` and again by `verify` (docs/contracts.md "Plans").

The plan carries the milestone file whole; what the chapter shows is never carried:
the milestone's frozen content is evaluated again with the plan's questionnaire (its
stored evaluation and sign-off states are not trusted) and diffed against the plan's
own data. The plan layer may not import this one, so `verify` is handed
`check_since` (a `SinceDeriver`) by the command that calls it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebook.milestone.diff import diff_points
from gatebook.milestone.model import milestone_problem
from gatebook.milestone.point import digest_of_frozen, frozen_data, now_point, point_from
from gatebook.milestone.service import NOW
from gatebook.milestone.store import (
    MILESTONE_FORMAT,
    MilestoneDamaged,
    MilestoneStore,
)
from gatebook.plan.document import PlanError, review_from_data
from gatebook.plan.signoff import signature_state
from gatebook.plan.since import BoundSince, SinceCheck, since_chapter
from gatebook.questionnaire.ids import is_document_id
from gatebook.store.canonical import digest_of

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.model import Review
    from gatebook.store.reviews import ReviewStore

UNUSABLE = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError)
"""What frozen content that is not a review's makes evaluation raise."""


def export_since(reviews: ReviewStore, review_id: str, name: str) -> BoundSince:
    """The milestone NAME as stored, and the chapter it backs for the review now,
    checked as `verify` will check it (an unknown or damaged milestone, or one that
    cannot back a chapter: named, exit 1; never a plan that fails verify)."""
    milestones = MilestoneStore(reviews)
    milestone = milestones.read(review_id, name)
    review = reviews.get(review_id)
    try:
        chapter = _checked_chapter(milestone, review, reviews.questionnaire_for(review))
    except PlanError as error:
        raise MilestoneDamaged(milestones.path_of(review_id, name), str(error)) from None
    return BoundSince(milestone, chapter)


def frozen_review(milestone: dict[str, Any]) -> Review:
    """The review a milestone froze (its sign-offs without the states they had then).
    PlanError, naming the field, when its content is not a review's."""
    signoffs = milestone["signoffs"]
    if not isinstance(signoffs, list) or not all(isinstance(s, dict) for s in signoffs):
        raise PlanError("the milestone's `signoffs` is not a list of sign-offs")
    data = {
        "content": milestone["content"],
        "review": milestone["review"],
        "signoffs": [{k: v for k, v in s.items() if k != "state"} for s in signoffs],
    }
    try:
        return review_from_data(data, now="")
    except PlanError as error:
        reason = str(error).replace("the data block", "the milestone's frozen state")
        raise PlanError(reason) from None


def since_chapter_data(
    milestone: dict[str, Any], review: Review, questionnaire: Questionnaire
) -> dict[str, Any]:
    """`{name, milestones, target, diff}`: the milestone's frozen state evaluated again
    with `questionnaire`, then now, and the diff between them."""
    name = str(milestone["name"])
    then = frozen_review(milestone)
    try:
        old = point_from(name, frozen_data(then, questionnaire))
        new = now_point(review, questionnaire)
        diff = diff_points(old, new)
    except UNUSABLE as error:
        raise PlanError(f"the milestone's frozen state cannot be evaluated ({error!r})") from None
    return {
        "name": name,
        "milestones": [
            {"name": name, "time": milestone["time"], "overall": old.overall},
            {"name": NOW, "time": None, "overall": new.overall},
        ],
        "target": new.target,
        "diff": diff,
    }


def check_since(
    milestone: Any, review: Review, questionnaire: Questionnaire, allowed_signers: Path | None
) -> SinceCheck:
    """`verify`'s view of a format-5 plan's milestone: its own digest, that it is a
    milestone of this review, the chapter it backs, and whether its frozen state is
    signed (a sign-off stored in it approved exactly that content and its signature is
    valid under `allowed_signers`). Anything else is a failed check (exit 1), never a
    chapter: a milestone that is not one, of another review, edited, or unreadable."""
    name = milestone.get("name") if isinstance(milestone, dict) else None
    shown = name if isinstance(name, str) and is_document_id(name) else "(unnamed)"
    label = f"since chapter: milestone {shown}"
    try:
        chapter = _checked_chapter(milestone, review, questionnaire)
    except PlanError as error:
        return SinceCheck(None, [f"{label}: {error}"])
    stable_id = review.origin or review.id
    return SinceCheck(chapter, notes=[_signed_note(milestone, label, stable_id, allowed_signers)])


def _checked_chapter(
    milestone: Any, review: Review, questionnaire: Questionnaire
) -> dict[str, Any]:
    """The chapter a carried milestone backs; PlanError saying why it backs none."""
    if not isinstance(milestone, dict) or milestone.get("gatebook_milestone") != MILESTONE_FORMAT:
        raise PlanError("the data block's `since` is not a gatebook milestone file")
    if not isinstance(milestone.get("name"), str) or not is_document_id(milestone["name"]):
        raise PlanError("its `name` is not a milestone name")
    try:
        digest = digest_of_frozen(milestone)
    except (ValueError, RecursionError):
        raise PlanError("its frozen state cannot be hashed") from None
    if milestone.get("digest") != digest:
        said = str(milestone.get("digest"))[:80]
        raise PlanError(f"changed: its frozen state hashes to {digest}, the milestone says {said}")
    problem = milestone_problem(milestone)
    if problem is not None:
        raise PlanError(f"it is not shaped as a milestone ({problem})")
    content = milestone["content"]
    if (
        milestone.get("review") != review.id
        or content.get("id") != (review.origin or review.id)
        or content.get("questionnaire") != review.questionnaire
    ):
        raise PlanError(
            f"it is a milestone of review {str(milestone.get('review'))[:64]!r}, not of this "
            f"plan's review {review.id}"
        )
    chapter = since_chapter_data(milestone, review, questionnaire)
    try:
        since_chapter(chapter, questionnaire, bound=True)
    except UNUSABLE as error:
        raise PlanError(f"its frozen answers cannot be shown ({error!r})") from None
    return chapter


def _signed_note(
    milestone: dict[str, Any], label: str, stable_id: str, allowed_signers: Path | None
) -> str:
    content_digest = digest_of(milestone["content"])
    for signoff in frozen_review(milestone).signoffs:
        if (
            signoff.digest == content_digest
            and signoff.review in (None, stable_id)
            and signoff.time <= str(milestone["time"])  # made before the milestone was taken
            and signature_state(stable_id, signoff, allowed_signers) == "valid"
        ):
            return f"{label} is signed ({signoff.role} by {signoff.name})"
    return f"{label} is not signed (taken {milestone['time']} by {milestone['author']})"
