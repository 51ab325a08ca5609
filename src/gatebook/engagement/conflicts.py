"""Conflicts a git merge left in an engagement file (`title`, `start`, `shared.ID`):
settling one, read and checked as the value would be where it is typed.

An engagement keeps no history of its own: the settle rewrites the field and drops
the conflict in one write under the engagement's lock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as default
from typing import TYPE_CHECKING, Any

from gatebook.engagement.model import Engagement
from gatebook.engagement.store import EngagementStore
from gatebook.questionnaire.ids import IDENTIFIER
from gatebook.questionnaire.models import Question, Questionnaire
from gatebook.questionnaire.problems import SourceError
from gatebook.store.errors import StoreError
from gatebook.store.model import Conflict
from gatebook.store.records import RecordProblem, checked_date
from gatebook.store.resolve import checked_text, chosen_value, find_conflict, nothing_written

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore

_ID = re.compile(IDENTIFIER)


def _shared_question(
    reviews: ReviewStore, engagement: Engagement, qid: str
) -> tuple[Questionnaire, Question] | None:
    """The question a shared fact answers, from the first member that can be read and
    asks it (a shared one first)."""
    found: tuple[Questionnaire, Question] | None = None
    for member in engagement.members:
        try:
            questionnaire = reviews.questionnaire_for(reviews.get(member))
        except (StoreError, SourceError, OSError, ValueError):
            continue
        question = questionnaire.question(qid)
        if question is not None and question.shared:
            return questionnaire, question
        if question is not None and found is None:
            found = questionnaire, question
    return found


def settled_value(
    reviews: ReviewStore, engagement: Engagement, field: str, take: str | None, value: str | None
) -> Any:
    """The value `field` takes (RecordProblem, exit 2: no such conflict, or a value that
    would be refused where it is typed)."""
    from gatebook.engine.answers import AnswerProblem, read_answer

    conflict = find_conflict(engagement.conflicts, field, f"engagement {engagement.id}")
    chosen = chosen_value(conflict, take, value)
    if field == "title":
        return checked_text(field, chosen, side=take, empty_ok=False).strip()
    if field == "start":
        return checked_date(checked_text(field, chosen, side=take, empty_ok=False), field)
    head, _, qid = field.partition(".")
    if head != "shared" or not _ID.match(qid):
        raise RecordProblem(
            f"{field}: not a field of an engagement gatebook settles (title, start, shared.ID)"
        )
    if chosen is None:
        return None
    asked = _shared_question(reviews, engagement, qid)
    if asked is None:
        raise RecordProblem(
            f"{field}: no member review of {engagement.id} that can be read asks {qid!r}, "
            "so its value cannot be checked; take the side that removes it, or add the "
            "member back first"
        )
    try:
        return read_answer(asked[0], qid, chosen)
    except AnswerProblem as problem:
        given = f"the {take} value" if take else "--value"
        raise RecordProblem(f"{field}: {given} is refused: {problem}") from None
    except (ValueError, TypeError, RecursionError):
        raise RecordProblem(
            f"{field}: the {take} value is not a value of {qid}; write one with --value"
        ) from None


def settle_engagement_conflict(
    reviews: ReviewStore, engagement_id: str, field: str, take: str | None, value: str | None
) -> Engagement:
    """Write the settled value and drop the conflict (one write, under the lock)."""
    engagements = EngagementStore(reviews)
    engagement = engagements.get(engagement_id)
    try:
        settled = settled_value(reviews, engagement, field, take, value)
    except RecordProblem as problem:
        raise nothing_written(problem) from None

    def settle(found: Engagement) -> None:
        find_conflict(found.conflicts, field, f"engagement {engagement_id}")
        if field in ("title", "start"):
            setattr(found, field, settled)
        elif settled is None:
            found.shared.pop(field.partition(".")[2], None)
        else:
            found.shared[field.partition(".")[2]] = settled
        found.conflicts = [c for c in found.conflicts if c.field != field]

    head, _, qid = field.partition(".")
    if head != "shared":
        return engagements.modify(engagement_id, settle)
    from gatebook.store.history import Change
    from gatebook.store.journal import changing
    from gatebook.store.model import ChangeKind

    members = _sharing_members(reviews, engagement, qid)
    changes = [Change(ChangeKind.ANSWER, qid, settled, shared_from=engagement_id)]
    paths = [*(reviews.path_of(m) for m in members), engagements.path_of(engagement_id)]
    with changing(reviews.home, paths) as change:
        for member in members:
            reviews.stage_settle(change, member, f"answers.{qid}", changes)
        return engagements.stage_modify(change, engagement_id, settle)


def _sharing_members(reviews: ReviewStore, engagement: Engagement, qid: str) -> list[str]:
    """The members a settled shared fact reaches: those sharing the question, as a
    shared answer reaches them (a member with a current sign-off keeps its value). A
    member that cannot be read stops the settle: every file changes, or none."""
    from gatebook.engagement.lifecycle import load_member, unique_members
    from gatebook.engagement.members import (
        SharedNotWritten,
        has_current_signoff,
        same_shape,
        shared_questions,
    )

    asked = _shared_question(reviews, engagement, qid)
    reached: list[str] = []
    for member_id in unique_members(engagement):
        member = load_member(reviews, member_id, evaluated=False)
        if member.problem is not None:
            raise SharedNotWritten(
                f"{reviews.path_of(member_id)}: {member.problem}; shared.{qid} was not "
                f"settled in any file of {engagement.id}"
            )
        theirs = shared_questions(member.questionnaire).get(qid) if member.questionnaire else None
        if asked is None or theirs is None or not same_shape(asked[1], theirs):
            continue
        if not has_current_signoff(member):
            reached.append(member_id)
    return reached


@dataclass(frozen=True)
class ConflictRow:
    """One open conflict as `gatebook conflicts` lists it."""

    kind: str
    """`review` or `engagement`."""
    owner: str
    """The review's id, or the engagement's."""
    field: str
    base: Any
    ours: Any
    theirs: Any
    file: str
    """The file it is recorded in, relative to the workspace (`reviews/ID.json`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "review": self.owner,
            "field": self.field,
            "base": self.base,
            "ours": self.ours,
            "theirs": self.theirs,
            "file": self.file,
        }


@dataclass
class WorkspaceConflicts:
    rows: list[ConflictRow] = default(default_factory=list)
    unreadable: list[str] = default(default_factory=list)
    """`FILE: why` of each file that could not be read (its conflicts are unknown)."""


def _rows(kind: str, owner: str, conflicts: list[Conflict]) -> list[ConflictRow]:
    folder = "reviews" if kind == "review" else "engagements"
    return [
        ConflictRow(kind, owner, c.field, c.base, c.ours, c.theirs, f"{folder}/{owner}.json")
        for c in conflicts
    ]


def is_engagement(reviews: ReviewStore, some_id: str) -> bool:
    """An id names an engagement when `engagements/ID.json` exists (else a review)."""
    try:
        return EngagementStore(reviews).path_of(some_id).exists()
    except (StoreError, OSError):
        return False


def workspace_conflicts(reviews: ReviewStore, only: str | None = None) -> WorkspaceConflicts:
    """The open conflicts of one review or engagement (`only`: its errors propagate),
    or of every review then every engagement (an unreadable file is named, not fatal)."""
    found = WorkspaceConflicts()
    engagements = EngagementStore(reviews)
    if only is not None:
        if is_engagement(reviews, only):
            found.rows = _rows("engagement", only, engagements.get(only).conflicts)
        else:
            found.rows = _rows("review", only, reviews.get(only).conflicts)
        return found
    for review_id in reviews.ids():
        try:
            found.rows += _rows("review", review_id, reviews.get(review_id).conflicts)
        except (StoreError, OSError) as error:
            found.unreadable.append(f"reviews/{review_id}.json: {error}")
    for item in engagements.listed():
        if item.engagement is None:
            found.unreadable.append(f"engagements/{item.id}.json: {item.unreadable}")
        else:
            found.rows += _rows("engagement", item.id, item.engagement.conflicts)
    return found
