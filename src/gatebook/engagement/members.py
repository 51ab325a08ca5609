"""Answers typed once and risks carried forward: what joining an engagement does.

A shared question (`shared: true`) holds one value across the members whose
questionnaires share a question of the same id, type and (for choices) option
values. Writing it in one member writes it in the others — except a member with a
current sign-off, which keeps its value (the caller names it). Each write is one
history entry in each review it changed: the origin's entry lists where it went
(`shared_to`), a receiving entry says where it came from (`shared_from`), so undo in
the origin sets it back everywhere and undo in a receiver passes over it. The review,
the members and the engagement's copy change as one change across files
(store/journal.py): a member that cannot be read or written stops it everywhere, and
after an undo the engagement's copy is the undoing review's value.

A new member starts with the engagement's shared values, the latest earlier
member's deliverables (engagement/deliverables.py), and the open rows and outcomes of
the earlier members of its track, each with its `origin` (engagement/carry.py); a
review that joins with `engagement add` takes those rows and outcomes on too, unless
it is signed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Unpack

from gatebook.engagement.carry import carried_rows, carry_change
from gatebook.engagement.deliverables import carried_deliverables
from gatebook.engagement.lifecycle import (
    Member,
    load_member,
    load_members,
    overridden,
    stage_gate,
    today_of,
)
from gatebook.engagement.model import Engagement, StageOverride
from gatebook.engagement.store import EngagementStore
from gatebook.questionnaire.models import Question, Questionnaire
from gatebook.store.errors import InvalidInput, StoreError
from gatebook.store.history import Change
from gatebook.store.model import ChangeKind, HistoryEntry, Review

if TYPE_CHECKING:
    from pathlib import Path

    from gatebook.store.journal import FileChange
    from gatebook.store.reviews import ReviewOpening, ReviewStore

OKR_THRESHOLDS = {
    "headline_metric": "metric",
    "metric_direction": "direction",
    "threshold_success": "success",
    "threshold_partial": "partial_success",
    "threshold_no_impact": "no_impact",
    "threshold_negative": "negative_impact",
}
"""okr-review's shared threshold questions, and the intake's `target_metrics` column
each is read from (its first row) when the engagement holds no value yet."""


class MembershipProblem(InvalidInput):
    """A review that cannot join (it is in another engagement, or not a member)."""


def shared_questions(questionnaire: Questionnaire) -> dict[str, Question]:
    return {q.id: q for q in questionnaire.questions() if q.shared}


def same_shape(a: Question, b: Question) -> bool:
    """Shared means the same id, the same type and, for choices, the same options."""
    if a.type != b.type:
        return False
    if a.type in ("choice", "multichoice"):
        return {o.value for o in a.options} == {o.value for o in b.options}
    return True


def sharing_problems(members: list[Member]) -> list[str]:
    """Shared question ids whose type or options differ between members: not shared
    between those (what `engagement show` says on stderr)."""
    seen: dict[str, tuple[str, Question]] = {}
    problems: list[str] = []
    for member in members:
        if member.questionnaire is None:
            continue
        for qid, question in shared_questions(member.questionnaire).items():
            first = seen.setdefault(qid, (member.id, question))
            if first[1] is not question and not same_shape(first[1], question):
                problems.append(
                    f"question {qid!r} is not shared between {first[0]} ({first[1].type}) and "
                    f"{member.id} ({question.type}): their types or options differ"
                )
    return problems


def has_current_signoff(member: Member) -> bool:
    from gatebook.store.canonical import signoff_views

    if member.report is not None:
        views = member.report.signoffs
    elif member.review is not None:
        views = signoff_views(member.review, member.questionnaire)
    else:
        return False
    return any(view.state == "current" for view in views)


@dataclass
class SharedWrite:
    """Where a shared answer went, and the signed members that kept their value."""

    written: dict[str, list[str]] = field(default_factory=dict)
    kept: list[tuple[str, str]] = field(default_factory=list)

    def messages(self) -> list[str]:
        lines = [
            f"{member}: kept its value of {qid} (it has a current sign-off; the shared answer "
            "did not change it)"
            for member, qid in self.kept
        ]
        return lines + [
            f"{qid}: also set in {', '.join(members)}"
            for qid, members in self.written.items()
            if members
        ]


class SharedNotWritten(StoreError):
    """A member a shared answer must reach cannot be read: nothing was written (exit 1)."""


@dataclass
class _Plan:
    engagement: Engagement
    targets: dict[str, list[str]]
    kept: list[tuple[str, str]]

    def paths(self, reviews: ReviewStore, origin: str) -> list[Path]:
        """Every file the shared answer changes: one change across them (store/journal.py)."""
        members = {origin, *(m for names in self.targets.values() for m in names)}
        engagement = EngagementStore(reviews).path_of(self.engagement.id)
        return [*(reviews.path_of(m) for m in members), engagement]


def _plan(
    reviews: ReviewStore,
    review_id: str,
    questionnaire: Questionnaire,
    keys: Iterable[str],
    engagement: Engagement | None = None,
) -> _Plan | None:
    """Who a shared answer reaches (`engagement`: the one the review is joining)."""
    shared = shared_questions(questionnaire)
    wanted = [key for key in keys if key in shared]
    if not wanted:
        return None
    engagement = engagement or EngagementStore(reviews).engagement_of(review_id)
    if engagement is None:
        return None
    # On the app's save path: read each other member, never evaluate it.
    others = [
        load_member(reviews, member_id, evaluated=False)
        for member_id in dict.fromkeys(engagement.members)
        if member_id != review_id
    ]
    for member in others:
        if member.problem is not None:  # every member changes, or none
            raise SharedNotWritten(
                f"{reviews.path_of(member.id)}: {member.problem}; the shared answer "
                f"({', '.join(wanted)}) was not written in any review of {engagement.id}"
            )
    targets: dict[str, list[str]] = {}
    kept: list[tuple[str, str]] = []
    for key in wanted:
        targets[key] = []
        for member in others:
            theirs = (
                shared_questions(member.questionnaire).get(key) if member.questionnaire else None
            )
            if theirs is None or not same_shape(shared[key], theirs):
                continue
            if has_current_signoff(member):
                kept.append((member.id, key))
            else:
                targets[key].append(member.id)
    return _Plan(engagement, targets, kept)


def write_changes(
    reviews: ReviewStore,
    review_id: str,
    changes: list[Change],
    questionnaire: Questionnaire,
    *,
    coalesce: bool = False,
) -> tuple[Review, list[HistoryEntry], SharedWrite]:
    """Write changes to a review and its shared answers to every member of its
    engagement that shares them (the CLI's `set` and the app's saver both call this):
    every file changes, or none (SharedNotWritten, NotSaved naming the file)."""
    from gatebook.store.journal import changing

    keys = [c.key for c in changes if c.kind == ChangeKind.ANSWER]
    plan = _plan(reviews, review_id, questionnaire, keys)
    if plan is None:
        review, entries = reviews.update(review_id, changes, coalesce=coalesce)
        return review, entries, SharedWrite()
    marked = [
        replace(c, shared_to=tuple(plan.targets[c.key]))
        if c.kind == ChangeKind.ANSWER and plan.targets.get(c.key)
        else c
        for c in changes
    ]
    with changing(reviews.home, plan.paths(reviews, review_id)) as change:
        review, entries = reviews.stage_update(change, review_id, marked, coalesce=coalesce)
        values = {key: review.answers.get(key) for key in plan.targets}
        result = _push(reviews, change, plan, review_id, values, coalesce=coalesce)
    return review, entries, result


def _push(
    reviews: ReviewStore,
    change: FileChange,
    plan: _Plan,
    origin: str,
    values: dict[str, Any],
    *,
    coalesce: bool,
    also: Callable[[Engagement], None] | None = None,
) -> SharedWrite:
    """Stage the shared values in every target member and in the engagement's copy
    (with `also`, a further change to the engagement file in the same write)."""
    result = SharedWrite(kept=list(plan.kept))
    by_member: dict[str, list[Change]] = {}
    for key, members in plan.targets.items():
        for member in members:
            shared = Change(ChangeKind.ANSWER, key, values[key], shared_from=origin)
            by_member.setdefault(member, []).append(shared)
    for member, member_changes in by_member.items():
        _, entries = reviews.stage_update(change, member, member_changes, coalesce=coalesce)
        for entry in entries:
            result.written.setdefault(entry.key, []).append(member)

    def record(found: Engagement) -> None:
        _remember(found, values)
        if also is not None:
            also(found)

    EngagementStore(reviews).stage_modify(change, plan.engagement.id, record)
    return result


def _remember(engagement: Engagement, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if value is None:
            engagement.shared.pop(key, None)
        else:
            engagement.shared[key] = value


def _next_undo(review: Review) -> HistoryEntry | None:
    """The entry `undo` would revert in this review (its own, never a received one)."""
    for entry in reversed(review.history):
        if entry.undone or entry.undo_of is not None or entry.kind == "signoff":
            continue
        if entry.shared_from is None:
            return entry
    return None


def undo(reviews: ReviewStore, review_id: str) -> HistoryEntry | None:
    """Undo the review's own last change. A shared answer made here is set back in every
    member it was written to, and the engagement's copy becomes this review's value
    again (a received one is passed over): every file changes, or none."""
    from gatebook.store.journal import changing

    review = reviews.get(review_id)
    last = _next_undo(review)
    if last is None or last.kind != ChangeKind.ANSWER:
        return reviews.undo(review_id)
    if last.key not in shared_questions(reviews.questionnaire_for(review)):
        return reviews.undo(review_id)
    engagement = EngagementStore(reviews).engagement_of(review_id)
    if engagement is None:
        return reviews.undo(review_id)
    receivers = [m for m in dict.fromkeys(last.shared_to or []) if m in engagement.members]
    plan = _Plan(engagement, {last.key: receivers}, [])
    with changing(reviews.home, plan.paths(reviews, review_id)) as change:
        review, entry = reviews.stage_undo(change, review_id)
        if entry is None or entry.key != last.key or entry.undo_of is None:
            raise StoreError(f"{review_id} changed while undoing; try again")
        for member in receivers:
            reviews.stage_undo(change, member, shared_from=review_id, key=last.key)
        value = review.answers.get(last.key)
        EngagementStore(reviews).stage_modify(
            change, engagement.id, lambda found: _remember(found, {last.key: value})
        )
    return entry


# ---- a new member -------------------------------------------------------------------


def starting_answers(
    engagement: Engagement, members: list[Member], questionnaire: Questionnaire
) -> dict[str, Any]:
    """The engagement's shared values this questionnaire shares (read as its own
    questions read them: a value its question would refuse is left out)."""
    from gatebook.engine.answers import AnswerProblem, read_answer

    values = dict(engagement.shared)
    if questionnaire.stage == "measure":
        values = {**_intake_thresholds(members), **values}
    answers: dict[str, Any] = {}
    for qid in shared_questions(questionnaire):
        if qid in values:
            try:
                answers[qid] = read_answer(questionnaire, qid, values[qid], typed=False)
            except (AnswerProblem, ValueError, TypeError):
                continue
    if questionnaire.stage == "measure":  # issue 33: okr (metrics, plan's date, final)
        from gatebook.engagement.okr import checkpoint_answers

        answers.update(checkpoint_answers(members, questionnaire))
    answers.update(carried_deliverables(members, questionnaire))  # issue 33: delivery
    return answers


def _intake_thresholds(members: list[Member]) -> dict[str, Any]:
    intake = next((m for m in members if m.stage == "intake" and m.review is not None), None)
    rows = intake.review.answers.get("target_metrics") if intake and intake.review else None
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return {}
    first: dict[str, Any] = rows[0]
    return {key: first[column] for key, column in OKR_THRESHOLDS.items() if column in first}


OVERRIDE_HINT = "(--override REASON records why)"
"""How the stage gate's warning names the way to record a reason (the CLI's words;
the app asks for the reason in a prompt and says so instead)."""


def record_stage_override(
    reviews: ReviewStore, engagement_id: str, stage: str, reason: str
) -> None:
    """Record why a stage was started before what it expects, after the fact (the
    app's prompt; `new --override` records it with the review)."""

    def add(found: Engagement) -> None:
        found.overrides.append(
            StageOverride.model_validate(
                {"stage": stage, "reason": reason, "time": reviews.clock(), "user": reviews.user()}
            )
        )

    EngagementStore(reviews).modify(engagement_id, add)


@dataclass
class NewMember:
    review: Review
    warnings: list[str]
    shared: SharedWrite


def create_member(
    reviews: ReviewStore,
    engagement_id: str,
    questionnaire: Questionnaire,
    title: str,
    *,
    override: str | None = None,
    **given: Unpack[ReviewOpening],
) -> NewMember:
    """A review created inside an engagement: the shared values first, then the given
    answers; the earlier stages' open risks carried in; a stage started before what it
    expects is created anyway, with a warning (or the override's reason recorded). The
    review, its place in the engagement and the answers it shares are one change."""
    from gatebook.engine import evaluate
    from gatebook.store.journal import changing

    estore = EngagementStore(reviews)
    engagement = estore.get(engagement_id)
    members = load_members(reviews, engagement)
    today = today_of(reviews)
    warnings: list[str] = []
    stage = questionnaire.stage
    missing = stage_gate(stage, members, engagement, today) if stage else None
    if missing and not override and not overridden(engagement, stage or ""):
        warnings.append(f"warning: {missing}; the review is created anyway {OVERRIDE_HINT}")
    start = starting_answers(engagement, members, questionnaire)
    answers = dict(given.get("answers") or {})
    start.update(answers)
    not_applicable = given.get("not_applicable") or {}
    from gatebook.engagement.outcomes import carried_outcomes  # issue 33: outcomes-data

    # as the new review will be evaluated: a review with the outcomes it carries in (an
    # empty risk register), so a flag over the registers (no_outcomes, outcome_at_risk)
    # counts as raised and its earlier row becomes its row, not a second one
    coming = carried_outcomes(members, questionnaire)
    raised = {
        flag.id
        for flag in evaluate(
            questionnaire,
            start,
            not_applicable,
            register={},
            outcomes={key: row.model_dump() for key, row in coming.items()},
        ).flags
    }
    rows, mitigations = carried_rows(members, questionnaire, raised)
    review_id = reviews.fresh_id(questionnaire.id)
    outcomes = carried_outcomes(members, questionnaire, taken=frozenset(rows))

    def join(found: Engagement) -> None:
        found.members.append(review_id)
        if missing and override and stage:
            found.overrides.append(
                StageOverride.model_validate(
                    {
                        "stage": stage,
                        "reason": override,
                        "time": reviews.clock(),
                        "user": reviews.user(),
                    }
                )
            )

    changed = {k: v for k, v in answers.items() if engagement.shared.get(k) != start.get(k)}
    plan = _plan(reviews, review_id, questionnaire, changed, engagement) if changed else None
    paths = plan.paths(reviews, review_id) if plan else []
    paths += [reviews.path_of(review_id), estore.path_of(engagement.id)]
    pushed = SharedWrite()
    opening: ReviewOpening = {**given, "answers": start}
    with changing(reviews.home, paths) as change:  # the review, its joining, its answers
        review = reviews.create(
            questionnaire,
            title,
            review_id=review_id,
            risk_register=rows,
            mitigations=mitigations,
            outcomes=outcomes,
            change=change,
            **opening,
        )
        if plan is None:
            estore.stage_modify(change, engagement.id, join)
        else:
            values = {key: review.answers.get(key) for key in plan.targets}
            pushed = _push(reviews, change, plan, review_id, values, coalesce=False, also=join)
    return NewMember(review, warnings, pushed)


@dataclass
class Joined:
    """A review linked to an engagement: what was carried into it, or why not."""

    engagement: Engagement
    carried: list[str] = field(default_factory=list)
    """The register row ids carried in (one history entry in the review)."""
    warnings: list[str] = field(default_factory=list)


def add_member(reviews: ReviewStore, engagement_id: str, review_id: str) -> Joined:
    """Link an existing review. Joining without a current sign-off, it takes on the
    earlier members' open rows (one history entry; its answers and its own rows stay);
    a signed review joins untouched (digest and sign-offs), with a warning. Its shared
    answers go to the engagement where the engagement holds none. The review's lock
    is held too, so two engagements never take the same review at once."""
    from gatebook.store.journal import changing

    estore = EngagementStore(reviews)
    paths = [reviews.path_of(review_id), estore.path_of(engagement_id)]
    with changing(reviews.home, paths) as change:
        review = reviews.get(review_id)
        owner = estore.engagement_of(review_id)
        if owner is not None and owner.id != engagement_id:
            raise MembershipProblem(
                f"{review_id} already belongs to engagement {owner.id}; a review belongs to "
                f"at most one (gatebook engagement remove {owner.id} {review_id} first)"
            )
        engagement = estore.get(engagement_id)
        joined = Joined(engagement)
        member = load_member(reviews, review_id)  # one that cannot be evaluated still joins
        if review_id not in engagement.members:
            joined = _carry_in(reviews, change, engagement, member)
        questionnaire = member.questionnaire
        shared = {
            key: review.answers[key]
            for key in (shared_questions(questionnaire) if questionnaire is not None else {})
            if review.answers.get(key) is not None
        }

        def join(found: Engagement) -> None:
            if review_id not in found.members:
                found.members.append(review_id)
            for key, value in shared.items():  # never over a value the engagement holds
                found.shared.setdefault(key, value)

        joined.engagement = estore.stage_modify(change, engagement_id, join)
        return joined


def _carry_in(
    reviews: ReviewStore, change: FileChange, engagement: Engagement, joining: Member
) -> Joined:
    if has_current_signoff(joining):
        warning = f"{joining.id} is signed: it joins as it is, nothing carried into it"
        return Joined(engagement, warnings=[warning])
    carried = carry_change(load_members(reviews, engagement), joining, engagement.id)
    if carried is None:
        return Joined(engagement)
    reviews.stage_update(change, joining.id, [carried])
    carried_ids = [*carried.new.get("risk_register", {}), *carried.new.get("outcomes", {})]
    return Joined(engagement, carried=carried_ids)


def remove_member(reviews: ReviewStore, engagement_id: str, review_id: str) -> Engagement:
    from gatebook.store.journal import changing

    estore = EngagementStore(reviews)
    paths = [reviews.path_of(review_id), estore.path_of(engagement_id)]
    with changing(reviews.home, paths) as change:
        if review_id not in estore.get(engagement_id).members:
            raise MembershipProblem(f"{review_id} is not a member of engagement {engagement_id}")

        def leave(found: Engagement) -> None:
            found.members = [m for m in found.members if m != review_id]

        return estore.stage_modify(change, engagement_id, leave)
